using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning.Structured.Latency;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Latency;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;

namespace CompressBuild.Benchmarks.Calibration;

/// <summary>
/// <c>calibration --profile</c>: where calibration's time goes beside plain inference, on one public model, in one process. ONNX
/// Runtime's profiler records the plain session (the original model, every sample once) and the calibration session itself (opened by
/// the real int8-static quantizer with nearest rounding, so no other pass opens a session on the samples); per op type, the sum of
/// each node's median kernel time per sample, and per run ORT's whole run (kernels plus allocation of outputs). Then the exposed
/// activations are folded once more, sequentially, to time our own share per sample in thread CPU time.
/// </summary>
internal static class CalibrationProfile
{
    public static int Run(IReadOnlyList<string> onlyModels, int samples, int threads, TextWriter output)
    {
        using var folder = new ScratchFolder("calibration-profile-data");
        foreach (var (name, kind, height, width) in CalibrationBenchmark.Models.Where(m => onlyModels.Count == 0 || onlyModels.Contains(m.Model)))
        {
            if (Testing.RealModels.Find(name) is not { } path)
            {
                output.WriteLine($"{name}: skipped, {Testing.RealModels.MissingReason(name)}");
                continue;
            }

            output.WriteLine($"## {name}, {samples} rendered samples, {threads} intra-op thread(s), load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            Profile(path, OcrInputs.Render(folder.Path, kind, samples, seed: 7, height, width), threads, output);
            output.WriteLine();
        }

        return 0;
    }

    private static void Profile(string model, string data, int threads, TextWriter output)
    {
        using var folder = new ScratchFolder("calibration-profile");
        var settings = SessionSettings.Default with { IntraOpThreads = threads };
        var loaded = OnnxModelReader.Load(model);

        var clock = Stopwatch.StartNew();
        string plainFile;
        Dataset dataset;
        using (var session = ModelSessions.Open(model, settings with { ProfilePrefix = folder.File("plain") }))
        {
            var opened = clock.Elapsed.TotalMilliseconds;
            dataset = DatasetLoader.Open(data, session.Inputs);
            for (var i = 0; i < dataset.Count; i++)
            {
                _ = session.Run(dataset.Sample(i));
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"plain: session {opened:0} ms, {dataset.Count} samples {clock.Elapsed.TotalMilliseconds - opened:0} ms wall"));
            plainFile = session.EndProfiling();
        }

        // The quantizer's sessions all profile; the calibration session is the one whose runs have the most kernels.
        var histograms = new Dictionary<string, ActivationHistogram>(StringComparer.Ordinal);
        var result = ModelQuantizer.Quantize(loaded, new QuantizationOptions
        {
            Mode = QuantizationMode.Int8Static,
            Rounding = Engine.Quantization.Weights.WeightRounding.Nearest,
            Session = settings with { ProfilePrefix = folder.File("calibration") },
        }, dataset, histograms);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"calibration: {result.CalibrationMilliseconds:0} ms wall, {histograms.Count} activations"));
        var calibrationFile = Directory.GetFiles(folder.Path, "calibration*.json").MaxBy(f => new FileInfo(f).Length)!;

        var plain = Summarize(plainFile);
        var exposed = Summarize(calibrationFile);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"per sample: plain run {plain.RunMs:0.00} ms (kernels {plain.Kernels.Values.Sum():0.00}), calibration run {exposed.RunMs:0.00} ms " +
            $"(kernels {exposed.Kernels.Values.Sum():0.00}); session initialization {plain.InitMs:0} vs {exposed.InitMs:0} ms"));
        output.WriteLine();
        output.WriteLine("| op type | plain ms/sample | calibration ms/sample | added |");
        output.WriteLine("| --- | ---: | ---: | ---: |");
        foreach (var op in plain.Kernels.Keys.Union(exposed.Kernels.Keys).OrderByDescending(o => Math.Abs(exposed.Kernels.GetValueOrDefault(o) - plain.Kernels.GetValueOrDefault(o))))
        {
            var (a, b) = (plain.Kernels.GetValueOrDefault(op), exposed.Kernels.GetValueOrDefault(op));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {op} | {a:0.000} | {b:0.000} | {b - a:+0.000;-0.000} |"));
        }

        output.WriteLine();
        output.WriteLine(Fold(loaded, histograms, dataset, settings));
    }

    /// <summary>Per op type, the sum of its nodes' median kernel times (ms per run); the median whole run; session initialization.</summary>
    private static (Dictionary<string, double> Kernels, double RunMs, double InitMs) Summarize(string file)
    {
        var kernels = OrtProfileReader.Read(file).GroupBy(t => t.OpType).ToDictionary(g => g.Key, g => g.Sum(t => t.MedianMicroseconds) / 1000);
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        var runs = new List<double>();
        var init = 0.0;
        foreach (var e in document.RootElement.EnumerateArray())
        {
            var name = e.TryGetProperty("name", out var n) ? n.GetString() : null;
            if (name == "model_run" && e.TryGetProperty("dur", out var d))
            {
                runs.Add(d.GetDouble() / 1000);
            }
            else if (name == "session_initialization" && e.TryGetProperty("dur", out var i))
            {
                init = i.GetDouble() / 1000;
            }
        }

        runs.Sort();
        return (kernels, runs.Count == 0 ? 0 : runs[runs.Count / 2], init);
    }

    /// <summary>The process's minor page faults so far (/proc/self/stat field 10; 0 where there is no procfs).</summary>
    private static long MinorFaults()
    {
        if (!File.Exists("/proc/self/stat"))
        {
            return 0;
        }

        var stat = File.ReadAllText("/proc/self/stat");
        // Fields after the parenthesized command name, which may hold spaces: state is field 3, minflt field 10.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Our own share, and the exposed session's cost under other session options: per sample, in rotating order, a run of the plain
    /// session, of the exposed session at each optimization level and into two bound output buffer sets, and the folding of the exposed outputs, each timed in this thread's CPU time.
    /// </summary>
    private static string Fold(OnnxModel model, Dictionary<string, ActivationHistogram> histograms, Dataset dataset, SessionSettings settings)
    {
        var inputs = model.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var names = histograms.Keys.Where(k => !inputs.Contains(k) && model.Graph.Node.Any(n => n.Output.Contains(k))).ToArray();
        var fresh = names.Select(_ => new ActivationHistogram(false, 99.999, dataset.Count)).ToArray();
        var exposedModel = ModelOutputs.WithOutputs(model, names);
        var levels = new[] { GraphOptimizationLevel.All, GraphOptimizationLevel.Extended, GraphOptimizationLevel.Basic };
        var opened = new double[levels.Length + 1];
        var sessions = new List<InferenceSession>();
        try
        {
            var at = ThreadCpuClock.NowMs();
            sessions.Add(ModelSessions.Open(model, settings));
            opened[0] = ThreadCpuClock.NowMs() - at;
            foreach (var (level, k) in levels.Select((l, k) => (l, k)))
            {
                at = ThreadCpuClock.NowMs();
                sessions.Add(ModelSessions.Open(exposedModel, settings with { OptimizationLevel = level }));
                opened[k + 1] = ThreadCpuClock.NowMs() - at;
            }

            // Calibration's untried form (issue 16): the All session's outputs written into two buffer sets allocated once, alternating,
            // through an I/O binding; each sample is copied into the bound input first, outside the timing.
            var boundInputs = dataset.Sample(0).Select(t => HostTensor.Zeros(t.Name, t.ElementType, t.Shape)).ToArray();
            var shaped = sessions[1].Run(dataset.Sample(0), names);
            using var setA = sessions[1].Bind(boundInputs, [.. shaped.Select(t => HostTensor.Zeros(t.Name, t.ElementType, t.Shape))]);
            using var setB = sessions[1].Bind(boundInputs, [.. shaped.Select(t => HostTensor.Zeros(t.Name, t.ElementType, t.Shape))]);
            var variants = sessions.Count + 1;
            var spent = new double[variants];
            var faults = new long[variants];
            var (fold, first, refold, read, sink) = (0.0, 0.0, 0.0, 0.0, 0f);
            var twice = names.Select(_ => new ActivationHistogram(false, 99.999, dataset.Count)).ToArray();
            long values = 0;
            for (var i = 0; i < dataset.Count; i++)
            {
                var sample = dataset.Sample(i);
                for (var r = 0; r < variants; r++)
                {
                    var s = (r + i) % variants;
                    if (s == sessions.Count)
                    {
                        for (var t = 0; t < boundInputs.Length; t++)
                        {
                            sample[t].Data.CopyTo(boundInputs[t].Data, 0);
                        }
                    }

                    var faulted = MinorFaults();
                    var before = ThreadCpuClock.NowMs();
                    if (s == 0 || s == sessions.Count)
                    {
                        if (s == 0)
                        {
                            _ = sessions[0].Run(sample);
                        }
                        else
                        {
                            (i % 2 == 0 ? setA : setB).Invoke();
                        }

                        spent[s] += ThreadCpuClock.NowMs() - before;
                        faults[s] += MinorFaults() - faulted;
                        continue;
                    }

                    using var outputs = sessions[s].RunKept(sample, names);
                    var ran = ThreadCpuClock.NowMs();
                    spent[s] += ran - before;
                    faults[s] += MinorFaults() - faulted;
                    if (s == 1)
                    {
                        outputs.Observe((k, span) =>
                        {
                            fresh[k].Add(span);
                            values += span.Length;
                        });
                        var folding = ThreadCpuClock.NowMs() - ran;
                        (fold, first) = i == 0 ? (fold, folding) : (fold + folding, first);
                        var again = ThreadCpuClock.NowMs();
                        outputs.Observe((k, span) => twice[k].Add(span));
                        refold += i == 0 ? 0 : ThreadCpuClock.NowMs() - again;
                        var reading = ThreadCpuClock.NowMs();
                        outputs.Observe((k, span) => sink += System.Numerics.Tensors.TensorPrimitives.Sum(span));
                        read += i == 0 ? 0 : ThreadCpuClock.NowMs() - reading;
                    }
                }
            }

            var c = CultureInfo.InvariantCulture;
            var text = new StringBuilder();
            text.AppendLine(c, $"interleaved per sample on the original model, {names.Length} of the {histograms.Count} activations exposed, {values / dataset.Count} values per sample " +
                $"(thread CPU ms: session creation; run per sample):");
            text.AppendLine(c, $"  plain (All): {opened[0]:0}; {spent[0] / dataset.Count:0.000}; {faults[0] / dataset.Count} minor faults");
            for (var k = 0; k < levels.Length; k++)
            {
                text.AppendLine(c, $"  exposed ({levels[k]}): {opened[k + 1]:0}; {spent[k + 1] / dataset.Count:0.000}; {faults[k + 1] / dataset.Count} minor faults");
            }

            text.AppendLine(c, $"  exposed (All, bound into two sets of pinned managed arrays, alternating): -; {spent[^1] / dataset.Count:0.000}; {faults[^1] / dataset.Count} minor faults");

            foreach (var group in names.Select((n, k) => (Op: model.Graph.Node.First(x => x.Output.Contains(n)).OpType, Values: fresh[k].Count / dataset.Count))
                .GroupBy(x => x.Op).OrderByDescending(g => g.Sum(x => x.Values)))
            {
                text.AppendLine(c, $"  exposed outputs of {group.Key}: {group.Count()}, {group.Sum(x => x.Values)} values per sample");
            }

            text.Append(c, $"  folding: {first:0.00} on the first sample, {fold / Math.Max(1, dataset.Count - 1):0.000} per sample after it, " +
                $"{refold / Math.Max(1, dataset.Count - 1):0.000} folding the same outputs again, " +
                $"{read / Math.Max(1, dataset.Count - 1):0.000} summing them (TensorPrimitives.Sum, {sink:0})");
            return text.ToString();
        }
        finally
        {
            sessions.ForEach(s => s.Dispose());
        }
    }
}
