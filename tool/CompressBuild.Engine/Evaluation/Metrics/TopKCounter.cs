using System.Numerics.Tensors;

namespace CompressBuild.Engine.Evaluation.Metrics;

/// <summary>Counts top-1 and top-k hits of score rows against integer labels.</summary>
public sealed class TopKCounter(int k)
{
    private int rows;
    private int top1;
    private int topK;

    public int K { get; } = k;

    public double Top1 => rows == 0 ? 0 : (double)top1 / rows;

    public double TopK => rows == 0 ? 0 : (double)topK / rows;

    public void Add(ReadOnlySpan<float> scores, long label)
    {
        rows++;
        if (label < 0 || label >= scores.Length)
        {
            return;
        }

        if (TensorPrimitives.IndexOfMax(scores) == label)
        {
            top1++;
        }

        // The label is within the top k when fewer than k classes score strictly higher.
        var target = scores[(int)label];
        var higher = 0;
        foreach (var s in scores)
        {
            if (s > target && ++higher >= K)
            {
                return;
            }
        }

        topK++;
    }
}
