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
            return new QuantizationPassResult(ModelQuantizer.Quantize(model, request.Options, calibration), null, calibration);
        }

        if (calibration is null)
        {
            throw new CompressBuildException(DiagnosticCodes.CalibrationDataRequired,
                "target_cosine and keep_float_top measure each layer's sensitivity on data: give calibration data (calibration.data).", model.DisplayName);
        }

        var mixed = MixedPrecision.Run(model, request.Options, calibration, request.TargetCosine, request.KeepFloatTop);
        return new QuantizationPassResult(mixed.Quantization, mixed, calibration);
    }
}
