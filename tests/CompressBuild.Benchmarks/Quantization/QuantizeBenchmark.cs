using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CompressBuild.Benchmarks.Measurement;
using CompressBuild.Benchmarks.ModelIo;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Reporting;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;

namespace CompressBuild.Benchmarks.Quantization;

/// <summary>
/// <c>quantize</c>: for a seeded synthetic MatMul MLP and the trained residual CNN fixture, times every mode
/// (load + quantize + save) against a plain load + save, calibration against plain inference over the same
/// samples, measures each result's latency against the float model (interleaved runs, batch 1), and the peak
/// memory of int8-static with 100 and with 1000 calibration samples, each in a fresh child process.
/// </summary>
internal static class QuantizeBenchmark
{
    private static readonly QuantizationMode[] Modes = [QuantizationMode.Int8Dynamic, QuantizationMode.Int8Static, QuantizationMode.Int8Weight, QuantizationMode.Int4Weight, QuantizationMode.Fp16];

    public static int Run(QuantizeBenchmarkOptions options, TextWriter stdout, TextWriter stderr)
    {
        if (options.ChildSamples is { } childSamples)
        {
            return Child(options.ChildModel!, options.ChildData!, childSamples, stdout);
        }

        using var folder = new ScratchFolder("quantize-bench");
        var synthetic = folder.File("synthetic_mlp.onnx");
        File.WriteAllBytes(synthetic, Google.Protobuf.MessageExtensions.ToByteArray(SyntheticMlp.Build(options.Width, options.Layers, seed: 42)));
        var data = folder.File("calibration.npy");
        var random = new Random(5);
        NpyWriter.Write(data, [1000, options.Width], Enumerable.Range(0, 1000 * options.Width).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray());
        var digits = Path.Combine(RepositoryRoot(), "tests", "fixtures", "digits");
        var models = new[]
        {
            ($"synthetic MLP {options.Layers}x{options.Width}", synthetic, data),
            ("cnn_residual (digits)", Path.Combine(digits, "cnn_residual.onnx"), Path.Combine(digits, "calib_x_img.npy")),
            ("mlp (digits)", Path.Combine(digits, "mlp.onnx"), Path.Combine(digits, "calib_x_flat.npy")),
            ("transformer (digits)", Path.Combine(digits, "transformer.onnx"), Path.Combine(digits, "calib_x_flat.npy")),
        };

        var rows = new List<ModeMeasurement>();
        foreach (var (name, path, calibrationPath) in models)
        {
            stderr.WriteLine($"measuring {name} ...");
            var loadSave = Median.Of(Enumerable.Range(0, options.Repeat).Select(_ => Time(() => OnnxModelWriter.Save(OnnxModelReader.Load(path), folder.File("copy.onnx"), ModelSaveOptions.Default))));
            foreach (var mode in Modes)
            {
                var output = folder.File($"q_{mode}.onnx");
                QuantizationResult? last = null;
                var quantize = Median.Of(Enumerable.Range(0, options.Repeat).Select(_ => Time(() =>
                {
                    var model = OnnxModelReader.Load(path);
                    Dataset? calibration = null;
                    if (mode == QuantizationMode.Int8Static)
                    {
                        using var s = ModelSessions.Open(model);
                        calibration = DatasetLoader.Open(calibrationPath, s.Inputs).Take(100);
                    }

                    last = ModelQuantizer.Quantize(model, new QuantizationOptions { Mode = mode }, calibration);
                    OnnxModelWriter.Save(last.Model, output, ModelSaveOptions.Default);
                })));
                double? inference = mode == QuantizationMode.Int8Static ? Inference(path, calibrationPath, 100) : null;
                var (floatMs, quantizedMs) = Latency(path, output, calibrationPath, options.Iterations);
                rows.Add(new ModeMeasurement(name, ModelQuantizer.ModeName(mode), quantize, loadSave, new FileInfo(path).Length, new FileInfo(output).Length,
                    floatMs, quantizedMs, mode == QuantizationMode.Int8Static ? last!.CalibrationMilliseconds : null, inference));
            }
        }

        stderr.WriteLine("measuring peak memory of int8-static with 100 and 1000 calibration samples (fresh processes) ...");
        var peak100 = PeakOfChild(synthetic, data, 100);
        var peak1000 = PeakOfChild(synthetic, data, 1000);
        var report = Render(rows, peak100, peak1000, options);
        stdout.Write(report);
        var artifacts = Path.Combine(RepositoryRoot(), "artifacts", "benchmarks");
        Directory.CreateDirectory(artifacts);
        File.WriteAllText(Path.Combine(artifacts, "quantize.md"), report);
        return 0;
    }

    private static string Render(List<ModeMeasurement> rows, long peak100, long peak1000, QuantizeBenchmarkOptions options)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"Quantization benchmark ({Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, ONNX Runtime " +
            $"{InferenceSession.RuntimeVersion}; medians of {options.Repeat} runs, latency over {options.Iterations} interleaved batch-1 runs)");
        text.AppendLine();
        text.AppendLine("| model | mode | quantize ms | load+save ms | time ratio | size | size ratio | float ms | quantized ms | speedup | calibration ms | inference ms | calib ratio |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in rows)
        {
            text.AppendLine(c, $"| {r.Model} | {r.Mode} | {r.QuantizeMs:0.0} | {r.LoadSaveMs:0.0} | {r.TimeRatio:0.00}x | {r.BytesAfter / 1024.0:0.0} KiB | {r.SizeRatio:0.00}x | " +
                $"{r.FloatMedianMs:0.000} | {r.QuantizedMedianMs:0.000} | {r.Speedup:0.00}x | {(r.CalibrationMs is { } cm ? cm.ToString("0.0", c) : "-")} | " +
                $"{(r.InferenceMs is { } im ? im.ToString("0.0", c) : "-")} | {(r.CalibrationRatio is { } cr ? cr.ToString("0.00", c) + "x" : "-")} |");
        }

        text.AppendLine();
        text.AppendLine(c, $"Peak memory of int8-static on the synthetic MLP (VmHWM of a fresh process): 100 samples {peak100 / (1024.0 * 1024):0.0} MiB, 1000 samples " +
            $"{peak1000 / (1024.0 * 1024):0.0} MiB ({(double)peak1000 / peak100:0.00}x).");
        return text.ToString();
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>Plain inference over the same samples calibration reads: open a session, run each sample once.</summary>
    private static double Inference(string model, string data, int samples) => Time(() =>
    {
        using var session = ModelSessions.Open(model);
        var dataset = DatasetLoader.Open(data, session.Inputs).Take(samples);
        for (var i = 0; i < dataset.Count; i++)
        {
            session.Run(dataset.Sample(i));
        }
    });

    /// <summary>Median latency of the float and the quantized model, measured in alternating blocks so machine noise hits both.</summary>
    private static (double Float, double Quantized) Latency(string floatModel, string quantizedModel, string data, int iterations)
    {
        using var reference = ModelSessions.Open(floatModel, new SessionSettings { IntraOpThreads = 1 });
        using var candidate = ModelSessions.Open(quantizedModel, new SessionSettings { IntraOpThreads = 1 });
        var samples = Enumerable.Range(0, 8).Select(DatasetLoader.Open(data, reference.Inputs).Sample).ToList();
        var floats = new List<double>();
        var quantized = new List<double>();
        for (var block = 0; block < 5; block++)
        {
            floats.Add(LatencyBenchmark.Measure(reference, samples, 10, iterations / 5).MedianMs);
            quantized.Add(LatencyBenchmark.Measure(candidate, samples, 10, iterations / 5).MedianMs);
        }

        return (Median.Of(floats), Median.Of(quantized));
    }

    private static int Child(string model, string data, int samples, TextWriter stdout)
    {
        var loaded = OnnxModelReader.Load(model);
        Dataset calibration;
        using (var session = ModelSessions.Open(loaded))
        {
            calibration = DatasetLoader.Open(data, session.Inputs).Take(samples);
        }

        ModelQuantizer.Quantize(loaded, new QuantizationOptions { Mode = QuantizationMode.Int8Static }, calibration);
        stdout.WriteLine(JsonSerializer.Serialize(ProcessMemory.Read(), JsonFormat.Compact));
        return 0;
    }

    private static long PeakOfChild(string model, string data, int samples)
    {
        string[] arguments = [typeof(QuantizeBenchmark).Assembly.Location, "quantize", "--child-samples", samples.ToString(CultureInfo.InvariantCulture),
            "--child-model", model, "--child-data", data];
        var run = ChildProcess.Run(ChildProcess.Dotnet, arguments);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"The peak-memory child exited with {run.ExitCode}: {run.StandardError}{run.StandardOutput}");
        }

        var stdout = run.StandardOutput;
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        return JsonSerializer.Deserialize<MemorySnapshot>(line, JsonFormat.Compact)!.PeakBytes;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CompressBuild.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
