using System.Numerics.Tensors;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// AdaRound (Nagel et al. 2020, "Up or Down? Adaptive Rounding for Post-Training Quantization"): on a fixed grid
/// (the scale and zero point round-to-nearest uses), each weight learns whether to round down or up. With
/// w~ = s (floor(w / s) + h(V)), h the rectified sigmoid, the layer's output error on the calibration data
/// E = tr(dW G dW^T) (G = X^T X, or with a teacher the original input on the right: w~^T G w~ - 2 w~^T C w) is
/// minimized by Adam over V plus a regularizer sum(1 - |2h - 1|^beta) whose beta anneals from 20 to 2, pushing every
/// h to 0 or 1. The objective splits into one problem per output row that shares G, so rows run in parallel, each
/// deterministic. A row whose learned rounding comes out worse than round-to-nearest on E keeps round-to-nearest.
/// </summary>
public static class AdaRound
{
    public const int DefaultIterations = 400;

    /// <summary>Rectified sigmoid stretch (the paper's zeta and gamma): h reaches exactly 0 and 1.</summary>
    private const float Zeta = 1.1f;
    private const float Gamma = -0.1f;

    /// <summary>Share of the iterations before the regularizer starts (the paper's warm-up), and its weight.</summary>
    private const float WarmUp = 0.2f;
    private const float Lambda = 0.01f;
    private const float LearningRate = 0.05f;

    /// <summary>Adam's usual moments and epsilon.</summary>
    private const float Beta1 = 0.9f;
    private const float Beta2 = 0.999f;
    private const float Epsilon = 1e-8f;

    /// <param name="gram">Symmetrized X_p^T X_p (averaged) over the layer's columns.</param>
    /// <param name="cross">Optional X_p^T X_o against the original model's input (the teacher); null uses <paramref name="gram"/>.</param>
    /// <param name="rows">Row-major [outputs, columns] float weights; replaced by the dequantized rounded weights, on the grid.</param>
    /// <param name="scales">Per row scale.</param>
    /// <param name="zeros">Per row zero point.</param>
    /// <returns>The summed output error E of round-to-nearest and of the rounding kept, over all rows (relative to the float weights).</returns>
    public static (double Nearest, double Rounded) Round(GramMatrix gram, GramMatrix? cross, double[] rows, int outputs, float[] scales, int[] zeros, int qmin, int qmax,
        int iterations = DefaultIterations)
    {
        var n = gram.Size;
        var g = new float[n * n];
        for (var i = 0; i < g.Length; i++)
        {
            g[i] = (float)gram.Values[i];
        }

        var c = cross is null ? g : cross.Values.Select(v => (float)v).ToArray();
        var diagonal = gram.MeanDiagonal();
        var nearest = new double[outputs];
        var rounded = new double[outputs];
        Parallel.For(0, outputs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, o =>
        {
            var row = rows.AsSpan(o * n, n);
            var (before, after, result) = RoundRow(g, c, n, row, scales[o], zeros[o], qmin, qmax, diagonal, iterations);
            nearest[o] = before;
            rounded[o] = after;
            result.AsSpan().CopyTo(row);
        });
        return (nearest.Sum(), rounded.Sum());
    }

    private static (double Nearest, double Rounded, double[] Result) RoundRow(float[] g, float[] c, int n, ReadOnlySpan<double> row, float scale, int zero, int qmin, int qmax,
        double diagonal, int iterations)
    {
        var w = new float[n];
        var target = new float[n];
        var floorCode = new float[n];
        var free = new bool[n];
        var v = new float[n];
        var nearestCode = new float[n];
        var inverse = 1f / scale;
        for (var i = 0; i < n; i++)
        {
            w[i] = (float)row[i];
            var x = w[i] * inverse;
            var below = MathF.Floor(x);
            nearestCode[i] = Math.Clamp(MathF.Round(x, MidpointRounding.ToEven) + zero, qmin, qmax) - zero;
            // Free only when both neighbours are on the grid; otherwise the clamp decides, as round-to-nearest's does.
            free[i] = below + zero >= qmin && below + 1 + zero <= qmax;
            floorCode[i] = free[i] ? below : nearestCode[i];
            var rest = Math.Clamp(x - below, 0.01f, 0.99f);
            v[i] = free[i] ? -MathF.Log(((Zeta - Gamma) / (rest - Gamma)) - 1) : 0;
        }

        for (var i = 0; i < n; i++)
        {
            target[i] = TensorPrimitives.Dot(c.AsSpan(i * n, n), w);
        }

        // Scale the output error so one step on the grid of one weight costs ~1 whatever the layer's ranges: the
        // regularizer's weight then means the same in every layer.
        var norm = (float)(1.0 / Math.Max(scale * (double)scale * diagonal, 1e-30));
        var current = new float[n];
        var gradient = new float[n];
        var h = new float[n];
        var m = new float[n];
        var s = new float[n];
        var warm = (int)(iterations * WarmUp);
        for (var step = 1; step <= iterations; step++)
        {
            for (var i = 0; i < n; i++)
            {
                h[i] = free[i] ? Rectified(v[i]) : 0;
                current[i] = scale * (floorCode[i] + h[i]);
            }

            var regularize = step > warm;
            var beta = regularize ? 20f + ((2f - 20f) * (step - warm) / Math.Max(1, iterations - warm)) : 0f;
            float correction1 = 1 - MathF.Pow(Beta1, step), correction2 = 1 - MathF.Pow(Beta2, step);
            for (var i = 0; i < n; i++)
            {
                if (!free[i])
                {
                    continue;
                }

                // dE/dh_i = 2 s (G w~ - C w)_i; dh/dV is zero where the rectifier clips.
                var error = TensorPrimitives.Dot(g.AsSpan(i * n, n), current) - target[i];
                var dh = 2 * scale * error * norm;
                if (regularize)
                {
                    var centred = (2 * h[i]) - 1;
                    dh += -Lambda * beta * MathF.Pow(MathF.Abs(centred), beta - 1) * MathF.Sign(centred) * 2;
                }

                var sigmoid = 1f / (1f + MathF.Exp(-v[i]));
                var raw = (sigmoid * (Zeta - Gamma)) + Gamma;
                gradient[i] = raw is > 0 and < 1 ? dh * sigmoid * (1 - sigmoid) * (Zeta - Gamma) : 0;
                m[i] = (Beta1 * m[i]) + ((1 - Beta1) * gradient[i]);
                s[i] = (Beta2 * s[i]) + ((1 - Beta2) * gradient[i] * gradient[i]);
                v[i] -= LearningRate * (m[i] / correction1) / (MathF.Sqrt(s[i] / correction2) + Epsilon);
            }
        }

        var result = new float[n];
        var nearest = new float[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = scale * (floorCode[i] + (free[i] && Rectified(v[i]) >= 0.5f ? 1 : 0));
            nearest[i] = scale * nearestCode[i];
        }

        var nearestError = Error(g, target, w, nearest, n);
        var roundedError = Error(g, target, w, result, n);
        var kept = roundedError <= nearestError ? result : nearest;
        return (nearestError, Math.Min(nearestError, roundedError), kept.Select(x => (double)x).ToArray());
    }

    private static float Rectified(float v) => Math.Clamp((1f / (1f + MathF.Exp(-v)) * (Zeta - Gamma)) + Gamma, 0f, 1f);

    /// <summary>E = w~^T G w~ - 2 w~^T (C w) + w^T C' w; the constant is taken as w^T (C w), exact without a teacher.</summary>
    private static double Error(float[] g, float[] target, float[] w, float[] rounded, int n)
    {
        double quadratic = 0;
        for (var i = 0; i < n; i++)
        {
            quadratic += rounded[i] * (double)TensorPrimitives.Dot(g.AsSpan(i * n, n), rounded);
        }

        return quadratic - (2.0 * TensorPrimitives.Dot(rounded, target)) + TensorPrimitives.Dot(w, target);
    }
}
