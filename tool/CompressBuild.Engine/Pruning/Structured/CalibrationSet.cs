using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pruning.Structured;

internal static class CalibrationSet
{
    /// <summary>The --calibration-data samples, checked against the model's inputs (CB2010 / CB2011 on a mismatch).</summary>
    public static Dataset Open(OnnxModel model, PruneSettings settings)
    {
        using var session = ModelSessions.Open(model);
        return DatasetLoader.OpenNonEmpty(settings.CalibrationData!, session.Inputs).Take(settings.CalibrationSamples);
    }

    /// <summary>Mean and mean square of each channel (along its axis) of the named values over the data.</summary>
    public static (List<double[]> Mean, List<double[]> MeanSquare) ChannelMoments(OnnxModel model, Dataset data, IReadOnlyList<(string Value, int Axis, int Count)> values)
    {
        var sums = values.Select(v => new double[v.Count]).ToList();
        var squares = values.Select(v => new double[v.Count]).ToList();
        var counts = new long[values.Count];
        ActivationCapture.Run(model, values.Select(v => v.Value).ToList(), data, (_, tensors) =>
        {
            for (var k = 0; k < values.Count; k++)
            {
                var tensor = tensors[k];
                var floats = new float[tensor.ElementCount];
                FloatWidening.TryWiden(tensor.ElementType, tensor.Data, floats);
                for (var c = 0; c < values[k].Count; c++)
                {
                    double sum = 0, square = 0;
                    TensorSlicing.ForEachRun(floats, tensor.Shape, values[k].Axis, c, run =>
                    {
                        sum += System.Numerics.Tensors.TensorPrimitives.Sum(run);
                        square += System.Numerics.Tensors.TensorPrimitives.SumOfSquares(run);
                    });
                    sums[k][c] += sum;
                    squares[k][c] += square;
                }

                counts[k] += tensor.ElementCount / values[k].Count;
            }
        });

        for (var k = 0; k < values.Count; k++)
        {
            for (var c = 0; c < values[k].Count; c++)
            {
                sums[k][c] = counts[k] == 0 ? 0 : sums[k][c] / counts[k];
                squares[k][c] = counts[k] == 0 ? 0 : squares[k][c] / counts[k];
            }
        }

        return (sums, squares);
    }
}
