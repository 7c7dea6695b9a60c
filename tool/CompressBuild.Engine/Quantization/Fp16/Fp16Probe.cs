using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Fp16;

/// <summary>
/// Measures, on a few samples, where float16 is unsafe for a model: activations of the float32 model outside
/// float16's safe range, and nodes of a float16 candidate whose output departs from the float32 model's much more
/// than their inputs do (the node itself, not its inputs, loses the signal). Samples come from the calibration
/// data when there is some, else from seeded generated inputs. Only the main graph's values are measured; ONNX
/// Runtime cannot expose values inside subgraphs.
/// </summary>
internal sealed class Fp16Probe
{
    /// <summary>Relative L2 error above which a node's float16 output counts as diverged (about 26 dB SQNR).</summary>
    public const double RelativeErrorLimit = 0.05;

    /// <summary>How much more error a node must add over its inputs' to be blamed for it.</summary>
    private const double Amplification = 4;

    private const int MaxSamples = 4;
    private const int Float = (int)TensorProto.Types.DataType.Float;

    private readonly OnnxModel reference;
    private readonly IReadOnlyList<IReadOnlyList<HostTensor>> samples;
    private readonly SessionSettings settings;
    private readonly IReadOnlyList<NodeProto> order;
    private readonly List<string> floatValues;
    private readonly Dictionary<string, int> types;

    private Fp16Probe(OnnxModel reference, IReadOnlyList<IReadOnlyList<HostTensor>> samples, SessionSettings settings, string source)
    {
        this.reference = reference;
        this.samples = samples;
        this.settings = settings;
        Source = source;
        types = ValueTypes.Infer(reference.Graph);
        order = GraphIndex.Build(reference.Graph).TopologicalOrder();
        floatValues = order.SelectMany(n => n.Output).Where(o => o.Length > 0 && types.GetValueOrDefault(o) == Float).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>What the measurements ran on, for messages.</summary>
    public string Source { get; }

    /// <summary>A probe over <paramref name="calibration"/> (its first samples) or generated inputs; null with the reason when the model cannot be run that way.</summary>
    public static Fp16Probe? TryCreate(OnnxModel reference, Dataset? calibration, SessionSettings settings, out string? skipped)
    {
        skipped = null;
        try
        {
            if (calibration is not null && calibration.Count > 0)
            {
                var taken = Enumerable.Range(0, Math.Min(MaxSamples, calibration.Count)).Select(calibration.Sample).ToList();
                return new Fp16Probe(reference, taken, settings, $"{taken.Count} calibration sample(s)");
            }

            using var session = ModelSessions.Open(reference, settings);
            var dims = session.Inputs.SelectMany(i => i.SymbolicDims.Select((name, k) => (name, k)))
                .Where(d => d.name.Length > 0)
                .GroupBy(d => d.name, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().k == 0 ? 1L : 64L, StringComparer.Ordinal);
            return new Fp16Probe(reference, [RandomInputs.Create(session.Inputs, dims)], settings, "a generated input");
        }
        catch (Exception e) when (e is CompressBuildException or OrtException)
        {
            skipped = e.Message;
            return null;
        }
    }

    /// <summary>Nodes whose float inputs or outputs reach beyond <see cref="Fp16Ranges.SafeActivation"/> on the samples, with the reason.</summary>
    public Dictionary<string, string> ActivationsOutOfRange()
    {
        var largest = new Dictionary<string, float>(StringComparer.Ordinal);
        using (var session = ModelSessions.Open(ModelOutputs.WithOutputs(reference, floatValues), settings with { OptimizationLevel = GraphOptimizationLevel.None }))
        {
            foreach (var sample in samples)
            {
                var outputs = session.Run(sample, floatValues);
                for (var i = 0; i < floatValues.Count; i++)
                {
                    var peak = Peak(outputs[i]);
                    largest[floatValues[i]] = Math.Max(largest.GetValueOrDefault(floatValues[i]), peak);
                }
            }
        }

        foreach (var input in samples[0].Where(t => t.ElementType == Float))
        {
            largest[input.Name] = samples.Max(s => Peak(s.First(t => t.Name == input.Name)));
        }

        var unsafeNodes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in order)
        {
            var worst = node.Input.Concat(node.Output).Where(largest.ContainsKey).Select(v => (Value: v, Peak: largest[v])).OrderByDescending(p => p.Peak).FirstOrDefault();
            if (worst.Value is not null && worst.Peak > Fp16Ranges.SafeActivation)
            {
                unsafeNodes[node.Name] = $"'{worst.Value}' reaches {worst.Peak:G3} on {Source}, beyond float16's safe range (±{Fp16Ranges.SafeActivation:G5})";
            }
        }

        return unsafeNodes;
    }

    /// <summary>Nodes of <paramref name="candidate"/> computed in float16 (<paramref name="converted"/>) that diverge from the float32 model on the samples, with the reason.</summary>
    public Dictionary<string, string> Diverging(OnnxModel candidate, IReadOnlySet<string> converted)
    {
        var present = candidate.Graph.Node.SelectMany(n => n.Output).ToHashSet(StringComparer.Ordinal);
        var names = floatValues.Where(present.Contains).ToList();
        var error = new Dictionary<string, (double Error, double Energy, long NotFinite)>(StringComparer.Ordinal);
        var noOptimization = settings with { OptimizationLevel = GraphOptimizationLevel.None };
        using (var referenceSession = ModelSessions.Open(ModelOutputs.WithOutputs(reference, names), noOptimization))
        using (var candidateSession = ModelSessions.Open(ModelOutputs.WithOutputs(candidate, names), noOptimization))
        {
            foreach (var sample in samples)
            {
                var expected = referenceSession.Run(sample, names);
                var actual = candidateSession.Run(sample, names);
                for (var i = 0; i < names.Count; i++)
                {
                    var (e, energy, notFinite) = Compare(Singles(expected[i]), Singles(actual[i]));
                    var sum = error.GetValueOrDefault(names[i]);
                    error[names[i]] = (sum.Error + e, sum.Energy + energy, sum.NotFinite + notFinite);
                }
            }
        }

        double Relative(string value) => error.TryGetValue(value, out var s)
            ? s.NotFinite > 0 ? double.PositiveInfinity : s.Energy > 0 ? Math.Sqrt(s.Error / s.Energy) : s.Error > 0 ? 1 : 0
            : 0;

        var diverging = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in order.Where(n => converted.Contains(n.Name)))
        {
            var output = node.Output.Where(error.ContainsKey).Select(v => (Value: v, Relative: Relative(v))).OrderByDescending(p => p.Relative).FirstOrDefault();
            if (output.Value is null || output.Relative <= RelativeErrorLimit)
            {
                continue;
            }

            var input = node.Input.Where(error.ContainsKey).Select(Relative).DefaultIfEmpty(0).Max();
            if (double.IsPositiveInfinity(output.Relative) && !double.IsPositiveInfinity(input))
            {
                diverging[node.Name] = $"its float16 output '{output.Value}' is NaN or infinite on {Source} where float32's is finite";
            }
            else if (!double.IsPositiveInfinity(output.Relative) && output.Relative > Amplification * input)
            {
                diverging[node.Name] = $"its float16 output '{output.Value}' departs from float32's by {output.Relative:P1} (relative L2) on {Source}, against {input:P1} at its inputs";
            }
        }

        return diverging;
    }

    private static float Peak(HostTensor tensor)
    {
        var peak = 0f;
        foreach (var v in Singles(tensor))
        {
            if (float.IsFinite(v))
            {
                peak = Math.Max(peak, Math.Abs(v));
            }
        }

        return peak;
    }

    private static (double Error, double Energy, long NotFinite) Compare(float[] expected, float[] actual)
    {
        double error = 0, energy = 0;
        long notFinite = 0;
        for (var i = 0; i < expected.Length && i < actual.Length; i++)
        {
            if (!float.IsFinite(expected[i]))
            {
                continue;
            }

            if (!float.IsFinite(actual[i]))
            {
                notFinite++;
                continue;
            }

            var d = (double)expected[i] - actual[i];
            error += d * d;
            energy += (double)expected[i] * expected[i];
        }

        return (error, energy, notFinite);
    }

    private static float[] Singles(HostTensor tensor) => tensor.ElementType switch
    {
        Float => tensor.AsSpan<float>().ToArray(),
        (int)TensorProto.Types.DataType.Float16 => tensor.AsSpan<Half>().ToArray().Select(h => (float)h).ToArray(),
        _ => [],
    };
}
