using CompressBuild.Engine.Reconstruction;

namespace CompressBuild.Engine.Pruning.Unstructured;

/// <summary>
/// A Conv's im2col columns reordered from channel-major (i * taps + t, the weight's own [I, kh, kw] order) to tap-major
/// (t * I + i), so that N:M runs of consecutive columns run along the input channels at one tap (<see cref="NmLayers"/>);
/// with one tap both orders are the same and nothing is copied.
/// </summary>
internal static class TapMajor
{
    public static GramMatrix Gram(GramMatrix gram, int taps)
    {
        if (taps == 1)
        {
            return gram;
        }

        var n = gram.Size;
        var channels = n / taps;
        var result = new GramMatrix(n);
        for (var a = 0; a < n; a++)
        {
            var from = Original(a, channels, taps);
            for (var b = 0; b < n; b++)
            {
                result.Values[((long)a * n) + b] = gram.Values[((long)from * n) + Original(b, channels, taps)];
            }
        }

        return result;
    }

    /// <param name="rows">Row-major [outputs, columns] in channel-major order (or tap-major when <paramref name="toTapMajor"/> is false).</param>
    public static double[] Rows(double[] rows, int outputs, int taps, bool toTapMajor)
    {
        if (taps == 1)
        {
            return rows;
        }

        var n = rows.Length / outputs;
        var channels = n / taps;
        var result = new double[rows.Length];
        for (var o = 0; o < outputs; o++)
        {
            for (var a = 0; a < n; a++)
            {
                var original = Original(a, channels, taps);
                if (toTapMajor)
                {
                    result[(o * n) + a] = rows[(o * n) + original];
                }
                else
                {
                    result[(o * n) + original] = rows[(o * n) + a];
                }
            }
        }

        return result;
    }

    /// <summary>The channel-major column of tap-major column <paramref name="a"/> = t * channels + i.</summary>
    private static int Original(int a, int channels, int taps) => ((a % channels) * taps) + (a / channels);
}
