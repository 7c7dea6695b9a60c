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
            var gram = statistics.Gram[g];
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

                noise += gram.Quadratic(product);
                signal += gram.Quadratic(w);
            }
        }

        return signal > 0 ? noise / signal : 0;
    }
}
