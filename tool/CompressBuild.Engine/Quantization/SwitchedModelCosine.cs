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

    public SwitchedModelCosine(OnnxModel reference, OnnxModel switchedModel, Func<IEnumerable<int>, HostTensor> mask, Dataset data, SessionSettings session)
    {
        this.mask = mask;
        this.data = data;
        using (var floatSession = ModelSessions.Open(reference, session))
        {
            names = floatSession.Outputs.Where(o => o.IsTensor && o.ElementType == (int)Onnx.Proto.TensorProto.Types.DataType.Float).Select(o => o.Name).ToList();
            expected = Enumerable.Range(0, data.Count).Select(i => floatSession.Run(data.Sample(i), names).Select(t => t.AsSpan<float>().ToArray()).ToList()).ToList();
        }

        switched = ModelSessions.Open(switchedModel, session);
    }

    /// <summary>The cosine with the switches in <paramref name="switchedOn"/> on and every other off.</summary>
    public double Of(IEnumerable<int> switchedOn)
    {
        Diagnostics.Deadline.ThrowIfExpired();
        var on = mask(switchedOn);
        var comparisons = names.Select(n => new OutputComparison(n, 0, 0)).ToList();
        for (var i = 0; i < data.Count; i++)
        {
            var outputs = switched.Run([.. data.Sample(i), on], names);
            for (var k = 0; k < names.Count; k++)
            {
                comparisons[k].Add(expected[i][k], outputs[k].AsSpan<float>());
            }
        }

        return comparisons.Count == 0 ? 1 : comparisons.Min(c => c.Result().Cosine);
    }

    public void Dispose() => switched.Dispose();
}
