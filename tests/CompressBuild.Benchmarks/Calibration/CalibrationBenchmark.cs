using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CompressBuild.Benchmarks.Measurement;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;

namespace CompressBuild.Benchmarks.Calibration;

/// <summary>
/// <c>calibration</c>: on the public PP-OCR models, the time and peak memory of int8-static calibration (the
/// engine's <see cref="QuantizationResult.CalibrationMilliseconds"/>: the exposed-activations session plus every
/// sample folded into the histograms) against plain inference of the original model over the same rendered
/// samples, with the same thread count. Each side of each row runs in a fresh child process, so VmHWM is that
/// work's alone and a larger sample count cannot hide behind an earlier row's peak; each row repeats the two
/// children as interleaved pairs and shows the pair with the median ratio and the range of all ratios. Wall time
/// on a loaded machine swings both ways, so each row also gives CPU-time ratios: the process's CPU time (all threads)
/// over the measured work only (inference: session creation and the runs; calibration: the engine's own span), whole,
/// and per sample (each side minus the same child over one sample, so session creation and first-run costs cancel).
/// </summary>
internal static class CalibrationBenchmark
{
    internal static readonly (string Model, string Kind, int Height, int Width)[] Models =
    [
        (Testing.RealModels.PaddleOcrDetector, "det", 320, 320),
        (Testing.RealModels.PaddleOcrClassifier, "cls", 48, 192),
        (Testing.RealModels.PaddleOcrRecognizer, "rec", 48, 320),
    ];

    public static int Run(IReadOnlyList<string> onlyModels, IReadOnlyList<int> sampleCounts, int threads, int repeat, TextWriter output, TextWriter progress)
    {
        using var folder = new ScratchFolder("calibration-bench");
        var rows = new List<CalibrationRow>();
        foreach (var (name, kind, height, width) in Models.Where(m => onlyModels.Count == 0 || onlyModels.Contains(m.Model)))
        {
            if (Testing.RealModels.Find(name) is not { } path)
            {
                output.WriteLine($"{name}: skipped, {Testing.RealModels.MissingReason(name)}");
                continue;
            }

            foreach (var samples in sampleCounts)
            {
                progress.WriteLine($"{name}: rendering {samples} inputs, then inference and calibration in fresh processes ...");
                var data = OcrInputs.Render(folder.Path, kind, samples, seed: 7, height, width);

                // One-sample children: what each side costs besides the samples (start-up, sessions, preprocessing, quantizing).
                var inferenceBase = Measure("inference", path, data, threads, limit: 1);
                var calibrationBase = Measure("calibrate", path, data, threads, limit: 1);

                // Interleaved pairs, so a load spike on the shared machine hits both sides; the row is the pair with the median ratio.
                var pairs = new List<CalibrationRow>();
                for (var r = 0; r < repeat; r++)
                {
                    var inference = Measure("inference", path, data, threads);
                    var calibration = Measure("calibrate", path, data, threads);
                    pairs.Add(new CalibrationRow(name, samples, inference.Seconds, calibration.Seconds, inference.PeakBytes, calibration.PeakBytes)
                    {
                        CpuRatio = (calibration.CpuSeconds - calibrationBase.CpuSeconds) / Math.Max(1e-9, inference.CpuSeconds - inferenceBase.CpuSeconds),
                        WholeCpuRatio = calibration.CpuSeconds / Math.Max(1e-9, inference.CpuSeconds),
                    });
                }

                var median = pairs.OrderBy(p => p.Ratio).ElementAt(pairs.Count / 2);
                var cpu = pairs.Select(p => p.CpuRatio).Order().ElementAt(pairs.Count / 2);
                var whole = pairs.Select(p => p.WholeCpuRatio).Order().ElementAt(pairs.Count / 2);
                rows.Add(median with { CpuRatio = cpu, WholeCpuRatio = whole, MinRatio = pairs.Min(p => p.Ratio), MaxRatio = pairs.Max(p => p.Ratio), Pairs = pairs.Count });
                File.Delete(data);
            }
        }

        output.Write(Render(rows, threads));
        return 0;
    }

    /// <summary>The child side: one measurement, printed as one JSON line.</summary>
    public static int Child(string what, string model, string data, int threads, int? limit, TextWriter stdout)
    {
        var settings = SessionSettings.Default with { IntraOpThreads = threads };
        double seconds;
        double cpu;
        if (what == "inference")
        {
            // What calibration is compared with: open a session on the original model and run every sample once.
            var clock = Stopwatch.StartNew();
            var started = Environment.CpuUsage.TotalTime;
            using var session = ModelSessions.Open(model, settings);
            var dataset = DatasetLoader.Open(data, session.Inputs).Take(limit ?? int.MaxValue);
            for (var i = 0; i < dataset.Count; i++)
            {
                _ = session.Run(dataset.Sample(i));
            }

            seconds = clock.Elapsed.TotalSeconds;
            cpu = (Environment.CpuUsage.TotalTime - started).TotalSeconds;
        }
        else
        {
            var loaded = OnnxModelReader.Load(model);
            Dataset calibration;
            using (var session = ModelSessions.Open(loaded, settings))
            {
                calibration = DatasetLoader.Open(data, session.Inputs).Take(limit ?? int.MaxValue);
            }

            // Nearest rounding: the default `rounding: auto` quantizes trial models on up to 16 of the samples (and GPTQ or SmoothQuant may
            // run their own passes over all of them), work the process CPU column would otherwise charge to calibration at 4+ samples only.
            var options = new QuantizationOptions { Mode = QuantizationMode.Int8Static, Rounding = Engine.Quantization.Weights.WeightRounding.Nearest, Session = settings };
            var result = ModelQuantizer.Quantize(loaded, options, calibration);
            seconds = result.CalibrationMilliseconds / 1000;
            cpu = result.CalibrationCpuMilliseconds / 1000;
        }

        var measurement = new CalibrationMeasurement(seconds, ProcessMemory.Read().PeakBytes, cpu);
        stdout.WriteLine(JsonSerializer.Serialize(measurement, JsonFormat.Compact));
        return 0;
    }

    private static CalibrationMeasurement Measure(string what, string model, string data, int threads, int? limit = null)
    {
        string[] arguments = [typeof(CalibrationBenchmark).Assembly.Location, "calibration", "--child", what, "--child-model", model, "--child-data", data,
            "--threads", threads.ToString(CultureInfo.InvariantCulture), .. limit is { } l ? ["--child-limit", l.ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>()];
        var run = ChildProcess.Run(ChildProcess.Dotnet, arguments).Succeeded();
        var line = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        return JsonSerializer.Deserialize<CalibrationMeasurement>(line, JsonFormat.Compact)!;
    }

    private static string Render(List<CalibrationRow> rows, int threads)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"Calibration against plain inference (ONNX Runtime {InferenceSession.RuntimeVersion}, {threads} intra-op thread(s), {Environment.ProcessorCount} cores, shared machine; " +
            $"each figure from its own fresh process; peak = VmHWM; " +
            $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end)");
        text.AppendLine();
        text.AppendLine("| model | samples | inference s | calibration s | ratio | ratio range (pairs) | CPU ratio | CPU ratio per sample | inference peak MB | calibration peak MB |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in rows)
        {
            text.AppendLine(string.Create(c, $"| {r.Model} | {r.Samples} | {r.InferenceSeconds:0.00} | {r.CalibrationSeconds:0.00} | {r.Ratio:0.00}x | " +
                $"{r.MinRatio:0.00}-{r.MaxRatio:0.00}x ({r.Pairs}) | {r.WholeCpuRatio:0.00}x | {r.CpuRatio:0.00}x | {r.InferencePeakBytes / 1e6:0} | {r.CalibrationPeakBytes / 1e6:0} |"));
        }

        return text.ToString();
    }
}
