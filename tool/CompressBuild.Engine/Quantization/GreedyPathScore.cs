namespace CompressBuild.Engine.Quantization;

/// <summary>
/// How well a quantized model keeps the float model's greedy path on a probability output (rows along the last axis that are
/// distributions: a Softmax over classes, e.g. a CTC recognizer's [N, T, C]): the mean, over rows, of the log-probability the
/// quantized row gives the float row's top class, less the float row's own. 0 when every row keeps its top class as sure as
/// float; a row whose decision flips counts most. Output cosine is dominated by the many rows the model is sure of (a CTC
/// output is mostly confident blanks), so two mixes of equal cosine can decode different text; this follows the decisions.
/// </summary>
internal sealed class GreedyPathScore
{
    // Probabilities below this count as this: one flipped row must not outweigh every other row.
    private const double Floor = 1e-6;

    private double sum;
    private long rows;

    /// <summary>
    /// Whether <paramref name="values"/> look like probability rows of width <paramref name="classes"/>: every value in [0, 1]
    /// and every row summing to 1 (within 1e-3).
    /// </summary>
    public static bool IsDistribution(ReadOnlySpan<float> values, int classes)
    {
        if (classes < 2 || values.Length == 0 || values.Length % classes != 0)
        {
            return false;
        }

        for (var start = 0; start < values.Length; start += classes)
        {
            var row = values.Slice(start, classes);
            double total = 0;
            foreach (var v in row)
            {
                if (!(v >= 0 && v <= 1))
                {
                    return false;
                }

                total += v;
            }

            if (Math.Abs(total - 1) > 1e-3)
            {
                return false;
            }
        }

        return true;
    }

    public void Add(ReadOnlySpan<float> reference, ReadOnlySpan<float> candidate, int classes)
    {
        for (var start = 0; start + classes <= reference.Length; start += classes)
        {
            var row = reference.Slice(start, classes);
            var top = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row);
            var q = candidate[start + top];
            sum += Math.Log(Math.Max(Floor, double.IsFinite(q) ? q : 0)) - Math.Log(Math.Max(Floor, row[top]));
            rows++;
        }
    }

    public double Result() => rows == 0 ? 0 : sum / rows;
}
