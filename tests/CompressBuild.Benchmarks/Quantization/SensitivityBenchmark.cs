using System.Globalization;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Mixed;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using static CompressBuild.Testing.RankCorrelation;

namespace CompressBuild.Benchmarks.Quantization;

/// <summary>
/// Which mixed-precision ranking agrees with the measured loss: on each digits model, every layer quantized alone
/// (the given mode, calibrated on 100 samples) and its output loss (1 - cosine against float) measured on the 497 held-out
/// test samples; the probe (output cosine on the calibration data), the HAWQ-V3 Hessian score and hessian-noise (relative
/// output noise from the same Gram matrices) are ranked against it by Spearman's rho, and each ranking's wall time printed.
/// </summary>
internal static class SensitivityBenchmark
{
    private static readonly string[] Models = ["mlp.onnx", "cnn_residual.onnx", "cnn_concat_dw.onnx", "transformer.onnx"];

    public static int Run(QuantizationMode mode, TextWriter output)
    {
        output.WriteLine($"Mode {QuantizationModes.NameOf(mode)}, 100 calibration samples, loss measured on 497 held-out samples.");
        output.WriteLine("| model | layers | Spearman probe vs measured | Spearman hessian vs measured | Spearman hessian-noise vs measured | probe time | hessian time | hessian-noise time |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var name in Models)
        {
            var image = name.StartsWith("cnn", StringComparison.Ordinal);
            var model = OnnxModelReader.Load(Path.Combine(RepositoryPaths.Digits, name));
            using var reference = ModelSessions.Open(model);
            var calibration = DatasetLoader.Open(Path.Combine(RepositoryPaths.Digits, image ? "calib_x_img.npy" : "calib_x_flat.npy"), reference.Inputs).Take(100);
            var test = DatasetLoader.Open(Path.Combine(RepositoryPaths.Digits, image ? "test_x_img.npy" : "test_x_flat.npy"), reference.Inputs);
            var options = new QuantizationOptions { Mode = mode };

            // Warm-up so neither ranking pays for the first session's JIT and ONNX Runtime start-up.
            MixedPrecision.Run(model, options with { Sensitivity = SensitivityMethod.Hessian }, calibration.Take(4), null, 0);
            var probe = MixedPrecision.Run(model, options, calibration, null, 0);
            var hessian = MixedPrecision.Run(model, options with { Sensitivity = SensitivityMethod.Hessian }, calibration, null, 0);
            var layers = probe.Layers.Select(l => l.Node).OrderBy(n => n, StringComparer.Ordinal).ToList();
            var measured = layers.Select(layer =>
            {
                var alone = ModelQuantizer.Quantize(model, options with { ExcludeNodes = [.. layers.Where(l => l != layer)] }, calibration);
                using var session = ModelSessions.Open(alone.Model);
                return 1 - ModelComparison.Run(reference, session, test).Outputs.Min(o => o.Cosine);
            }).ToList();
            var probeScores = layers.Select(l => 1 - probe.Layers.Single(p => p.Node == l).Cosine!.Value).ToList();
            var hessianScores = layers.Select(l => hessian.Layers.Single(p => p.Node == l).Hessian ?? 0).ToList();
            var noise = MixedPrecision.Run(model, options with { Sensitivity = SensitivityMethod.HessianNoise }, calibration, null, 0);
            var relativeScores = layers.Select(l => noise.Layers.Single(p => p.Node == l).Hessian ?? 0).ToList();
            var (tp, th, tn) = (probe.Ranking!.Time.TotalSeconds, hessian.Ranking!.Time.TotalSeconds, noise.Ranking!.Time.TotalSeconds);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {layers.Count} | {Spearman(probeScores, measured):F3} | {Spearman(hessianScores, measured):F3} | {Spearman(relativeScores, measured):F3} " +
                $"| {tp:F2} s | {th:F2} s | {tn:F2} s |"));
        }

        return 0;
    }
}
