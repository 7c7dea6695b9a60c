using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization;

/// <summary>
/// The output cosine against the float model of a model with run-time switches (one bool mask input), on a few calibration
/// samples: the one score both the activation-float ranking (<c>mixed_units: activations</c>) and the range search
/// (<c>calibration.method: search</c>) compare mixes by, every mix measured in one ONNX Runtime session instead of one
/// model per mix. The worst output's cosine counts.
/// </summary>
internal sealed class SwitchedModelCosine : IDisposable
{
    private readonly InferenceSession switched;
    private readonly Func<IEnumerable<int>, HostTensor> mask;
    private readonly Dataset data;
    private readonly List<string> names;
    private readonly List<List<float[]>> expected;
    private readonly List<int> pathClasses;

    public SwitchedModelCosine(OnnxModel reference, OnnxModel switchedModel, Func<IEnumerable<int>, HostTensor> mask, Dataset data, SessionSettings session)
    {
        this.mask = mask;
        this.data = data;
        using (var floatSession = ModelSessions.Open(reference, session))
        {
            names = floatSession.Outputs.Where(o => o.IsTensor && o.ElementType == (int)Onnx.Proto.TensorProto.Types.DataType.Float).Select(o => o.Name).ToList();
            var shapes = new List<long[]>();
            expected = Enumerable.Range(0, data.Count).Select(i =>
            {
                var outputs = floatSession.Run(data.Sample(i), names);
                if (shapes.Count == 0)
                {
                    shapes.AddRange(outputs.Select(o => o.Shape));
                }

                return outputs.Select(t => t.AsSpan<float>().ToArray()).ToList();
            }).ToList();
            pathClasses = Enumerable.Range(0, names.Count).Select(k => shapes.Count > k && shapes[k].Length >= 2 && shapes[k][^1] >= 2
                && expected.All(e => GreedyPathScore.IsDistribution(e[k], (int)shapes[k][^1])) ? (int)shapes[k][^1] : 0).ToList();
        }

        switched = ModelSessions.Open(switchedModel, session);
    }

    /// <summary>Whether some output is a probability distribution over its last axis, so <see cref="Scores"/> has a greedy-path score.</summary>
    public bool HasPath => pathClasses.Any(c => c > 0);

    /// <summary>The cosine with the switches in <paramref name="switchedOn"/> on and every other off.</summary>
    public double Of(IEnumerable<int> switchedOn) => Scores(switchedOn).Cosine;

    /// <summary>
    /// The cosine and, when <see cref="HasPath"/>, the <see cref="GreedyPathScore"/> (the worst probability output's) with the
    /// switches in <paramref name="switchedOn"/> on and every other off.
    /// </summary>
    public (double Cosine, double Path) Scores(IEnumerable<int> switchedOn)
    {
        Diagnostics.Deadline.ThrowIfExpired();
        var on = mask(switchedOn);
        var comparisons = names.Select(n => new OutputComparison(n, 0, 0)).ToList();
        var paths = names.Select(_ => new GreedyPathScore()).ToList();
        for (var i = 0; i < data.Count; i++)
        {
            var outputs = switched.Run([.. data.Sample(i), on], names);
            for (var k = 0; k < names.Count; k++)
            {
                comparisons[k].Add(expected[i][k], outputs[k].AsSpan<float>());
                if (pathClasses[k] > 0)
                {
                    paths[k].Add(expected[i][k], outputs[k].AsSpan<float>(), pathClasses[k]);
                }
            }
        }

        var cosine = comparisons.Count == 0 ? 1 : comparisons.Min(c => c.Result().Cosine);
        var path = HasPath ? Enumerable.Range(0, names.Count).Where(k => pathClasses[k] > 0).Min(k => paths[k].Result()) : 0;
        return (cosine, path);
    }

    public void Dispose() => switched.Dispose();
}
