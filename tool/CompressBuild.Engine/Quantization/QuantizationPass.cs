using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization;

/// <summary>
/// Runs a <see cref="QuantizationRequest"/>: opens the calibration data against the model's inputs, then either
/// quantizes directly or, with a mixed-precision goal, measures layer sensitivity first. Shared by
/// <c>dotnet compress quantize</c> and the compress.yaml pipeline.
/// </summary>
public static class QuantizationPass
{
    public static QuantizationPassResult Run(OnnxModel model, QuantizationRequest request)
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

        if (request.TargetCosine is null && request.KeepFloatTop is null)
        {
            return new QuantizationPassResult(WithFusion(ModelQuantizer.Quantize(model, request.Options, calibration), request.Options), null, calibration);
        }

        if (calibration is null)
        {
            throw new CompressBuildException(DiagnosticCodes.CalibrationDataRequired,
                "--target-cosine and --keep-float-top measure each layer's sensitivity on data: pass --calibration-data <file|dir>.", model.DisplayName);
        }

        var mixed = MixedPrecision.Run(model, request.Options, calibration, request.TargetCosine, request.KeepFloatTop);
        return new QuantizationPassResult(WithFusion(mixed.Quantization, request.Options), mixed, calibration);
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
