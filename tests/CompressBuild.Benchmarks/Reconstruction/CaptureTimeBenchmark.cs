using System.Diagnostics;
using System.Globalization;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Reconstruction;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Models = CompressBuild.Testing.RealModels;

namespace CompressBuild.Benchmarks.Reconstruction;

/// <summary>
/// Reconstruction capture time against plain inference over the same calibration samples, per case: the PP-OCRv4
/// recognizer pruned 50% per layer with SparseGPT (32 lines; rec-sparsegpt-2-4: 2:4), scored on held-out lines of seeds 11 and 13, its MatMul / Gemm / Conv inputs captured as GPTQ's sequential
/// run does (capture only, nothing solved), the PP-OCRv4 detector channel-pruned 25% with reconstruction (uniform
/// allocation, 8 pages), and the digits CNN channel-pruned 25% (the pruner's default 128 calibration samples). Plain inference: one session with the
/// engine's default settings, every sample run once, timed with and without opening the session. Each case runs
/// <c>repeat</c> times interleaved with its inference, so the machine's load shows as the spread.
/// </summary>
internal static class CaptureTimeBenchmark
{
    private const int DigitsSamples = 128;

    /// <param name="samples">Calibration samples per case; 0 keeps each case's own count (recognizer 32 lines, detector 8 pages, digits 128).</param>
    /// <param name="perStage">Also print each stage's share: sessions opened and run, working model and teacher, spills, whole capture.</param>
    public static int Run(string[] cases, int repeat, int samples, bool perStage, TextWriter output)
    {
        output.WriteLine("| case | samples | layers | stages | rows | capture (CPU) | ONNX Runtime: open / runs (teacher: open / runs) | spills | solves "
            + "| plain inference: open + runs (runs only; CPU) | capture / inference (/ runs only; CPU) | quality | load | capture page faults |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|");
        var temp = Directory.CreateTempSubdirectory("capture-time-");
        try
        {
            Cases(cases, repeat, samples, perStage, temp.FullName, output);
        }
        finally
        {
            temp.Delete(recursive: true);
        }

        return 0;
    }

    private static void Cases(string[] cases, int repeat, int samples, bool perStage, string folder, TextWriter output)
    {
        foreach (var name in cases)
        {
            var (model, data, run) = Case(name, folder, samples);
            if (model is null)
            {
                output.WriteLine($"| {name} | skipped: {data} |");
                continue;
            }

            for (var r = 0; r < repeat; r++)
            {
                var (timing, quality) = run();
                using var process = Process.GetCurrentProcess();
                var cpuBefore = process.TotalProcessorTime;
                var (open, runsOnly) = Inference(model, data, timing.Samples);
                process.Refresh();
                var inferenceCpu = process.TotalProcessorTime - cpuBefore;
                var withSession = open + runsOnly;
                static double S(TimeSpan t) => t.TotalSeconds;
                TimeSpan Sum(Func<StageTiming, TimeSpan> part) => timing.Stages.Aggregate(TimeSpan.Zero, (total, s) => total + part(s));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {timing.Samples} | {timing.Layers} | {timing.Passes} | {timing.Rows} | {S(timing.Capture):F2} s ({S(timing.CaptureCpu):F2} s) "
                    + $"| {S(Sum(s => s.WorkingOpen)):F2} / {S(Sum(s => s.WorkingRuns)):F2} s ({S(Sum(s => s.TeacherOpen)):F2} / {S(Sum(s => s.TeacherRuns)):F2} s; CPU {S(Sum(s => s.RunsCpu)):F2} s) "
                    + $"| {S(Sum(s => s.Spills)):F2} s | {S(timing.Solve):F2} s | {S(open):F2} + {S(runsOnly):F2} s ({S(inferenceCpu):F2} s) "
                    + $"| {timing.Capture / withSession:F1}x ({timing.Capture / runsOnly:F1}x; {timing.CaptureCpu / inferenceCpu:F1}x) | {quality} | {Load()} | {timing.CaptureFaults} |"));
                if (perStage)
                {
                    for (var k = 0; k < timing.Stages.Count; k++)
                    {
                        var s = timing.Stages[k];
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"|   stage {k + 1} | | {s.Layers} | | | {S(s.Capture):F2} s ({S(s.CaptureCpu):F2} s) | {S(s.WorkingOpen):F2} / {S(s.WorkingRuns):F2} s " +
                             $"({S(s.TeacherOpen):F2} / {S(s.TeacherRuns):F2} s; CPU {S(s.RunsCpu):F2} s) | {S(s.Spills):F2} s | | | | | |"));
                    }
                }
            }
        }
    }

    private static (OnnxModel? Model, string Data, Func<(ReconstructionTiming Timing, string Quality)> Run) Case(string name, string folder, int samples)
    {
        int Count(int own) => samples > 0 ? samples : own;
        switch (name)
        {
            case "rec-sparsegpt":
            case "rec-sparsegpt-2-4":
            {
                if (Models.Find(Models.PaddleOcrRecognizer) is null || Models.Find(Models.PaddleOcrKeys) is null)
                {
                    return (null, Models.MissingReason(Models.PaddleOcrRecognizer), null!);
                }

                var model = OnnxModelReader.Load(Models.Path(Models.PaddleOcrRecognizer));
                var calibration = OcrInputs.Render(folder, "rec", Count(32), seed: 7);
                var test = OcrInputs.Render(folder, "rec", 64, seed: 11);
                var second = OcrInputs.Render(folder, "rec", 64, seed: 13);
                var settings = name == "rec-sparsegpt"
                    ? new PruneSettings { Method = PruneMethod.Magnitude, Sparsity = 0.5, Scope = SparsityScope.Layer }
                    : new PruneSettings { Method = PruneMethod.NM, Pattern = NmPattern.TwoFour };
                settings = settings with { CalibrationData = calibration, CalibrationSamples = Count(32) };
                return (model, calibration, () =>
                {
                    var pruned = ModelPruner.Run(model, settings);
                    return (pruned.Reconstruction, string.Create(CultureInfo.InvariantCulture,
                        $"character accuracy {CharacterAccuracyOf(model, test):P2} -> {CharacterAccuracyOf(pruned.Model, test):P2} (seed 11), "
                        + $"{CharacterAccuracyOf(model, second):P2} -> {CharacterAccuracyOf(pruned.Model, second):P2} (seed 13)"));
                });
            }

            case "rec-gptq-capture":
            {
                if (Models.Find(Models.PaddleOcrRecognizer) is null)
                {
                    return (null, Models.MissingReason(Models.PaddleOcrRecognizer), null!);
                }

                var model = OnnxModelReader.Load(Models.Path(Models.PaddleOcrRecognizer));
                var calibration = OcrInputs.Render(folder, "rec", Count(32), seed: 7);
                return (model, calibration, () => (CaptureOnly(model, calibration), "capture only"));
            }

            case "det-channel":
            {
                if (Models.Find(Models.PaddleOcrDetector) is null)
                {
                    return (null, Models.MissingReason(Models.PaddleOcrDetector), null!);
                }

                var model = OnnxModelReader.Load(Models.Path(Models.PaddleOcrDetector));
                var calibration = OcrInputs.Render(folder, "det", Count(8), seed: 7);
                var test = OcrInputs.Render(folder, "det", 4, seed: 11);
                var settings = new PruneSettings
                {
                    Method = PruneMethod.Channel, Sparsity = 0.25, CalibrationData = calibration, Allocation = SparsityAllocation.Uniform, CalibrationSamples = Count(8),
                };
                return (model, calibration, () =>
                {
                    var pruned = ModelPruner.Run(model, settings);
                    return (pruned.Reconstruction, string.Create(CultureInfo.InvariantCulture, $"output cosine {Cosine(model, pruned.Model, test):F4}"));
                });
            }

            case "digits-cnn-channel":
            {
                var model = OnnxModelReader.Load(Path.Combine(RepositoryPaths.Digits, "cnn_residual.onnx"));
                // Its 100 calibration samples are the whole file's first 100; plain inference reads the same ones.
                var calibration = Path.Combine(RepositoryPaths.Digits, "calib_x_img.npy");
                var test = Path.Combine(RepositoryPaths.Digits, "test_x_img.npy");
                var settings = new PruneSettings
                {
                    Method = PruneMethod.Channel, Sparsity = 0.25, CalibrationData = calibration, Allocation = SparsityAllocation.Uniform,
                    CalibrationSamples = Count(DigitsSamples),
                };
                return (model, calibration, () =>
                {
                    var pruned = ModelPruner.Run(model, settings);
                    return (pruned.Reconstruction, string.Create(CultureInfo.InvariantCulture, $"output cosine {Cosine(model, pruned.Model, test):F4}"));
                });
            }

            default:
                return (null, "unknown case (rec-sparsegpt, rec-sparsegpt-2-4, rec-gptq-capture, det-channel, digits-cnn-channel)", null!);
        }
    }

    /// <summary>The capture GPTQ's run makes on the recognizer (every MatMul, Gemm and Conv with a float initializer weight, default stages), solving nothing.</summary>
    private static ReconstructionTiming CaptureOnly(OnnxModel original, string calibration)
    {
        // The recognizer keeps its weights in Constant nodes; the passes promote them to initializers first, as here.
        var model = new OnnxModel(original.Proto.Clone(), original.BaseDirectory, original.SourcePath);
        ConstantPromotion.Promote(model.Graph);
        using var session = ModelSessions.Open(model);
        var data = DatasetLoader.Open(calibration, session.Inputs);
        var initializers = model.Graph.Initializer.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var targets = model.Graph.Node.Where(n => n.OpType is "MatMul" or "Gemm" or "Conv" && n.Input.Count > 1 && initializers.ContainsKey(n.Input[1])
                && initializers[n.Input[1]].DataType == (int)TensorProto.Types.DataType.Float)
            .Select(n => (Node: n, Weight: initializers[n.Input[1]], Geometry: LayerGeometry.Of(n, initializers[n.Input[1]])))
            .Where(t => t.Geometry is not null).Select(t => new ReconstructionTarget(t.Node, t.Weight, t.Geometry!, false)).ToList();
        return LayerwiseReconstruction.Run(model, targets, data, (_, _) => { });
    }

    /// <summary>Plain inference as a user runs it: one session opened with the engine's default settings, then every calibration sample the capture read, once.</summary>
    /// <returns>The time to open the session, and the runs.</returns>
    private static (TimeSpan Open, TimeSpan Runs) Inference(OnnxModel model, string data, int samples)
    {
        var clock = Stopwatch.StartNew();
        using var session = ModelSessions.Open(model);
        var open = clock.Elapsed;
        var dataset = DatasetLoader.Open(data, session.Inputs).Take(samples);
        var runs = Stopwatch.StartNew();
        for (var i = 0; i < dataset.Count; i++)
        {
            _ = session.Run(dataset.Sample(i));
        }

        return (open, runs.Elapsed);
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static double CharacterAccuracyOf(OnnxModel model, string data) =>
        RecognizerText.Accuracy(model, data, RecognizerText.Truth(data), CtcGreedyDecoder.FromKeysFile(Models.Path(Models.PaddleOcrKeys)));

    private static double Cosine(OnnxModel reference, OnnxModel candidate, string data)
    {
        using var a = ModelSessions.Open(reference);
        using var b = ModelSessions.Open(candidate);
        return ModelComparison.Run(a, b, DatasetLoader.Open(data, a.Inputs)).Outputs.Min(o => o.Cosine);
    }

}
