using Xunit;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Tests.Preprocessing;

/// <summary>Runs two models on the same inputs and measures how far their float outputs are apart.</summary>
internal static class ModelOutputsComparison
{
    public static readonly SessionSettings Settings = new() { IntraOpThreads = 1, InterOpThreads = 1, OptimizationLevel = GraphOptimizationLevel.Basic };

    public static IReadOnlyList<HostTensor> Run(OnnxModel model, IReadOnlyList<HostTensor> inputs)
    {
        using var session = ModelSessions.Open(model, Settings);
        return session.Run(inputs);
    }

    /// <summary>The largest absolute difference and the lowest cosine similarity over all outputs, shapes and types checked.</summary>
    public static (double MaxAbsDiff, double MinCosine) Compare(IReadOnlyList<HostTensor> expected, IReadOnlyList<HostTensor> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        var maxDiff = 0.0;
        var minCosine = 1.0;
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Shape, actual[i].Shape);
            Assert.Equal(expected[i].ElementType, actual[i].ElementType);
            var a = expected[i].AsSpan<float>();
            var b = actual[i].AsSpan<float>();
            double dot = 0, na = 0, nb = 0;
            for (var k = 0; k < a.Length; k++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs((double)a[k] - b[k]));
                dot += (double)a[k] * b[k];
                na += (double)a[k] * a[k];
                nb += (double)b[k] * b[k];
            }

            var cosine = na == 0 && nb == 0 ? 1 : dot / Math.Sqrt(na * nb);
            minCosine = Math.Min(minCosine, cosine);
        }

        return (maxDiff, minCosine);
    }
}
