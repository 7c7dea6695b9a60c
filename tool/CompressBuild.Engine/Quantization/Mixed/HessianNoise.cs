using CompressBuild.Engine.Reconstruction;

namespace CompressBuild.Engine.Quantization.Mixed;

/// <summary>
/// A layer's quantization noise relative to its signal at its own output: trace(dW G dW^T) / trace(W G W^T), G the input
/// Gram matrix, dW = Q(W) - W. Unlike HAWQ-V3's trace(H) ||dW||^2 / n it weighs each weight's error by the inputs that
/// weight actually meets (correlations included) and divides by the output's energy, so a layer's score is comparable
/// with another's whatever their scales; on the digits models it ranks int4-weight layers as the measured loss does far
/// better (Spearman 0.2 to 1.0 against -0.5 to -0.4, README).
/// </summary>
public static class HessianNoise
{
    public static double Score(LayerGeometry geometry, LayerStatistics statistics, float[] values, QuantizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(values);
        double noise = 0, signal = 0;
        var n = geometry.Columns;
        var product = new double[n];
        for (var g = 0; g < geometry.Groups; g++)
        {
            var gram = statistics.Gram[g].Values;
            var size = statistics.Gram[g].Size;
            var rows = WeightRows.Read(geometry, values, g);
            var back = WeightGrid.Dequantized(rows, geometry.OutputsPerGroup, n, geometry.Kind, options);
            for (var o = 0; o < geometry.OutputsPerGroup; o++)
            {
                var w = rows.AsSpan(o * n, n);
                var d = back.AsSpan(o * n, n);
                for (var i = 0; i < n; i++)
                {
                    product[i] = d[i] - w[i];
                }

                noise += Quadratic(gram, size, product);
                signal += Quadratic(gram, size, w);
            }
        }

        return signal > 0 ? noise / signal : 0;
    }

    /// <summary>v^T G v over the first v.Length rows and columns of the row-major <paramref name="size"/> x <paramref name="size"/> matrix.</summary>
    private static double Quadratic(double[] gram, int size, ReadOnlySpan<double> v)
    {
        double sum = 0;
        for (var i = 0; i < v.Length; i++)
        {
            sum += v[i] * System.Numerics.Tensors.TensorPrimitives.Dot(gram.AsSpan(i * size, v.Length), v);
        }

        return sum;
    }
}
