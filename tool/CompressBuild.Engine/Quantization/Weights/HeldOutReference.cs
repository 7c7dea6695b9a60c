using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>
/// The float model's outputs on <see cref="HeldOutChoice"/>'s check half, computed once for all candidates (they were run
/// again beside each one), and each candidate's score against them: the worst output's cosine, summed exactly as
/// <see cref="ModelComparison"/> sums it (same <see cref="OutputComparison"/>, same samples in the same order), so the
/// scores and therefore the choice are the ones ModelComparison gives. At most <see cref="HeldOutChoice.MaxHalf"/> samples
/// of outputs are held.
/// </summary>
internal sealed class HeldOutReference
{
    private readonly Dataset check;
    private readonly List<string> names;
    private readonly List<float[][]> outputs = [];

    public HeldOutReference(InferenceSession reference, Dataset check)
    {
        this.check = check;
        names = reference.Outputs.Where(o => o.IsTensor && FloatWidening.IsSupported(o.ElementType)).Select(o => o.Name).ToList();
        for (var i = 0; i < check.Count; i++)
        {
            Deadline.ThrowIfExpired();
            var run = reference.Run(check.Sample(i), names);
            outputs.Add([.. run.Select(t => Widen(t))]);
        }
    }

    /// <summary>The candidate's worst output cosine on the check samples (1 when the model has no float output).</summary>
    public double Score(InferenceSession candidate)
    {
        var missing = names.Where(n => candidate.Outputs.All(c => c.Name != n)).ToList();
        if (missing.Count > 0)
        {
            throw new CompressBuildException(DiagnosticCodes.ModelsDoNotMatch,
                $"the candidate lacks the reference's output(s) {string.Join(", ", missing)}; it has {string.Join(", ", candidate.Outputs.Select(o => o.Name))}.");
        }

        // Classes only matter for agreement and accuracy, which the score does not read; the cosine sums do not depend on them.
        var comparisons = names.Select(n => new OutputComparison(n, 0, 0)).ToList();
        for (var i = 0; i < check.Count; i++)
        {
            Deadline.ThrowIfExpired();
            var run = candidate.Run(check.Sample(i), names);
            for (var k = 0; k < names.Count; k++)
            {
                var reference = outputs[i][k];
                if (run[k].ElementCount != reference.Length)
                {
                    throw new CompressBuildException(DiagnosticCodes.ModelsDoNotMatch,
                        $"output '{names[k]}' has shape {TensorShape.Format(run[k].Shape)} in the candidate but {reference.Length} elements in the reference (sample {i}).");
                }

                comparisons[k].Add(reference, Widen(run[k]));
            }
        }

        return comparisons.Count == 0 ? 1 : comparisons.Min(c => c.Result().Cosine);
    }

    private static float[] Widen(HostTensor tensor)
    {
        var values = new float[checked((int)tensor.ElementCount)];
        FloatWidening.TryWiden(tensor.ElementType, tensor.Data, values);
        return values;
    }
}
