using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization.Mixed;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization;

/// <summary>
/// Runs a <see cref="QuantizationRequest"/>: opens the calibration data against the model's inputs, then either
/// quantizes directly or, with a mixed-precision goal, measures layer sensitivity first. Shared by
/// <c>dotnet compress quantize</c> and the compress.yaml pipeline.
/// </summary>
public static class QuantizationPass
{
    public static QuantizationPassResult Run(OnnxModel model, QuantizationRequest request) => Run(model, request, CpuFeatures.U8S8CanSaturate);

    /// <param name="u8s8CanSaturate">Whether this CPU's u8 x s8 kernels can saturate (<see cref="CpuFeatures"/>); tests pass either answer.</param>
    internal static QuantizationPassResult Run(OnnxModel model, QuantizationRequest request, bool u8s8CanSaturate)
    {
        Dataset? calibration = null;
        if (request.CalibrationData is { } dataPath)
        {
            using var session = ModelSessions.Open(model);
            calibration = DatasetLoader.Open(dataPath, session.Inputs);
            if (request.CalibrationSamples > 0)
            {
                calibration = calibration.Take(request.CalibrationSamples);
            }
        }

        // Chosen once here: mixed precision and latency-aware rounds quantize many times with the same options. The saturation
        // remedy comes first, so the held-out choices score candidates with the weights the model will ship (7 bits without VNNI).
        var (saturated, saturation) = Latency.SaturationChoice.Choose(request.Options, u8s8CanSaturate, model.Graph);
        var (resolved, roundingChoice) = Weights.HeldOutChoice.Resolve(model, saturated, calibration);
        (resolved, var tailRanges) = Calibration.TailRangeChoice.Resolve(model, resolved, calibration, request.Options.Rounding == Weights.WeightRounding.Auto);
        request = request with { Options = resolved };
        if (request.TargetCosine is null && request.KeepFloatTop is null)
        {
            var histograms = new Dictionary<string, Calibration.ActivationHistogram>(StringComparer.Ordinal);
            var options = request.Options;
            var quantized = ModelQuantizer.Quantize(model, options, calibration, histograms);
            quantized = saturation is null ? quantized : quantized with { Advisories = [.. quantized.Advisories, saturation] };
            quantized = calibration is null ? quantized : Latency.LatencyAwareQuantizer.Apply(model, quantized, options, calibration, histograms);
            quantized = Latency.SmallMatMulNBitsWarning.Apply(quantized, options) with { RoundingChoice = roundingChoice, TailRanges = tailRanges };
            return new QuantizationPassResult(WithLatencyCheck(model, WithFusion(quantized, request.Options), calibration), null, calibration);
        }

        if (calibration is null)
        {
            throw new CompressBuildException(DiagnosticCodes.CalibrationDataRequired,
                "target_cosine and keep_float_top measure each layer's sensitivity on data: give calibration data (calibration.data).", model.DisplayName);
        }

        var mixed = MixedPrecision.Run(model, request.Options, calibration, request.TargetCosine, request.KeepFloatTop);
        var chosen = mixed.Quantization with
        {
            RoundingChoice = roundingChoice, TailRanges = tailRanges,
            Advisories = saturation is null ? mixed.Quantization.Advisories : [.. mixed.Quantization.Advisories, saturation],
        };
        return new QuantizationPassResult(WithLatencyCheck(model, WithFusion(chosen, request.Options), calibration), mixed, calibration);
    }

    /// <summary>
    /// int8-static is meant to be faster: time it against the float model on this machine (1 intra-op thread, runs
    /// interleaved, one calibration sample, about 2 s) and warn with CB4016 when even the interval's upper end is
    /// below 1x, before any verification. Tiny inputs are where Q/DQ and per-op overheads outweigh the int8 math.
    /// </summary>
    private static QuantizationResult WithLatencyCheck(OnnxModel original, QuantizationResult result, Dataset? calibration)
    {
        if (result.Mode != QuantizationMode.Int8Static || result.QuantizedCount == 0 || calibration is null || calibration.Count == 0)
        {
            return result;
        }

        var settings = SessionSettings.Default with { IntraOpThreads = 1 };
        using var reference = ModelSessions.Open(original, settings);
        using var candidate = ModelSessions.Open(result.Model, settings);
        var latency = InterleavedLatency.Measure(reference, candidate, [calibration.Sample(0)],
            new LatencyOptions { Warmup = 5, MaxTime = TimeSpan.FromSeconds(2), MinTime = TimeSpan.FromSeconds(0.5), MinPairs = 20 });
        if (latency.Speedup.High >= 1)
        {
            return result;
        }

        var message = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"int8-static runs at {latency.Speedup.Ratio:0.00}x the float model's speed on this machine (95% interval [{latency.Speedup.Low:0.00}, " +
                $"{latency.Speedup.High:0.00}], 1 thread, a calibration-sized input): Q/DQ and per-op overheads outweigh the int8 math here; set " +
                $"latency_aware: true (--latency-aware) to keep the slower nodes float, keep the model float for speed, or accept it for size.");
        return result with { Advisories = [.. result.Advisories, new QuantizationAdvisory(DiagnosticCodes.QuantizedSlowerThanFloat.Id, message)] };
    }

    /// <summary>
    /// Adds ONNX Runtime's fusion report to an int8/int4 result, and one CB4015 advisory per quantized node it
    /// still runs in float. fp16 has nothing to fuse; an unchanged model (nothing quantized) neither.
    /// </summary>
    private static QuantizationResult WithFusion(QuantizationResult result, QuantizationOptions options)
    {
        if (result.Mode == QuantizationMode.Fp16 || result.QuantizedCount == 0)
        {
            return result;
        }

        var report = Fusion.FusionAnalyzer.Analyze(result.Model, result.Nodes, options.Session);
        // Only int8-static promises integer kernels for what it quantized; weight-only Conv is float compute by design.
        var unfused = result.Mode == QuantizationMode.Int8Static ? report.Unfused : [];
        var advisories = result.Advisories.Concat(unfused.Select(u => new QuantizationAdvisory(DiagnosticCodes.QuantizedNodeNotFused.Id,
            $"{u.OpType} '{u.Node}' was quantized but ONNX Runtime runs it in float between DequantizeLinear and QuantizeLinear: {u.Reason}."))).ToList();
        return result with { Fusion = report, Advisories = advisories };
    }
}
