using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>
/// Runs the float model over the calibration data once, with the activations to quantize exposed as outputs,
/// and folds each sample into one <see cref="ActivationHistogram"/> per activation: memory is the model plus
/// 2048 counters per activation, whatever the number of samples.
/// </summary>
public static class CalibrationCollector
{
    public static IReadOnlyDictionary<string, ActivationHistogram> Collect(OnnxModel model, IReadOnlyList<string> activations, Dataset data, SessionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new CompressBuildException(DiagnosticCodes.CalibrationDataEmpty, "the calibration data holds no samples.", data.Source);
        }

        var histograms = activations.ToDictionary(a => a, _ => new ActivationHistogram(), StringComparer.Ordinal);
        ActivationCapture.Run(model, activations, data, (_, tensors) =>
        {
            for (var k = 0; k < tensors.Count; k++)
            {
                histograms[activations[k]].Add(tensors[k].AsSpan<float>());
            }
        }, settings);

        var broken = activations.Where(a => histograms[a].HasNonFinite).ToList();
        if (broken.Count > 0)
        {
            throw new CompressBuildException(DiagnosticCodes.CalibrationValuesNotFinite,
                $"activation(s) {string.Join(", ", broken.Take(5).Select(b => $"'{b}'"))} took NaN or infinite values on the calibration data; " +
                    $"check the data's scaling (the model expects the same preprocessing as in training).", data.Source);
        }

        return histograms;
    }
}
