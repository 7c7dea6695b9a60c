using System.Numerics.Tensors;
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
    private readonly int[] steps;

    public HeldOutReference(InferenceSession reference, Dataset check)
    {
        this.check = check;
        names = reference.Outputs.Where(o => o.IsTensor && FloatWidening.IsSupported(o.ElementType)).Select(o => o.Name).ToList();
        var lastAxes = new List<long[]>();
        for (var i = 0; i < check.Count; i++)
        {
            Deadline.ThrowIfExpired();
            var run = reference.Run(check.Sample(i), names);
            outputs.Add([.. run.Select(t => Widen(t))]);
            lastAxes.Add([.. run.Select(t => t.Shape.Length < 2 ? 0 : t.Shape[^1])]);
        }

        steps = [.. Enumerable.Range(0, names.Count).Select(k => StepWidth(outputs.Select(o => o[k]).ToList(), lastAxes.Select(a => a[k]).Distinct().ToList()))];
    }

    /// <summary>
    /// The last axis's width when the output is a probability distribution at each of several steps (every row on the last axis
    /// non-negative and summing to 1, at least two rows per sample: a CTC recognizer's softmax per time step); 0 otherwise.
    /// </summary>
    private static int StepWidth(List<float[]> samples, List<long> lastAxis)
    {
        if (lastAxis is not [var last] || last < 2 || samples.Count == 0)
        {
            return 0;
        }

        var width = checked((int)last);
        foreach (var values in samples)
        {
            if (values.Length % width != 0 || values.Length / width < 2)
            {
                return 0;
            }

            for (var row = 0; row < values.Length; row += width)
            {
                double sum = 0;
                for (var j = row; j < row + width; j++)
                {
                    if (values[j] < 0)
                    {
                        return 0;
                    }

                    sum += values[j];
                }

                if (Math.Abs(sum - 1) > 1e-3)
                {
                    return 0;
                }
            }
        }

        return width;
    }

    /// <summary>
    /// The candidate's worst output cosine on the check samples (1 when the model has no float output), and, when some output is a
    /// distribution per step, the worst such output's share of steps whose most likely class is the reference's (else null).
    /// </summary>
    public (double Cosine, double? Agreement) Score(InferenceSession candidate)
    {
        var missing = names.Where(n => candidate.Outputs.All(c => c.Name != n)).ToList();
        if (missing.Count > 0)
        {
            throw new CompressBuildException(DiagnosticCodes.ModelsDoNotMatch,
                $"the candidate lacks the reference's output(s) {string.Join(", ", missing)}; it has {string.Join(", ", candidate.Outputs.Select(o => o.Name))}.");
        }

        // Classes only matter for agreement and accuracy, which the score does not read; the cosine sums do not depend on them.
        var comparisons = names.Select(n => new OutputComparison(n, 0, 0)).ToList();
        var agreeing = new long[names.Count];
        var rows = new long[names.Count];
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

                var values = Widen(run[k]);
                comparisons[k].Add(reference, values);
                for (var row = 0; steps[k] > 0 && row < values.Length; row += steps[k])
                {
                    rows[k]++;
                    agreeing[k] += TensorPrimitives.IndexOfMax(reference.AsSpan(row, steps[k])) == TensorPrimitives.IndexOfMax(values.AsSpan(row, steps[k])) ? 1 : 0;
                }
            }
        }

        var cosine = comparisons.Count == 0 ? 1 : comparisons.Min(c => c.Result().Cosine);
        var agreement = Enumerable.Range(0, names.Count).Where(k => rows[k] > 0).Select(k => (double)agreeing[k] / rows[k]).DefaultIfEmpty(double.NaN).Min();
        return (cosine, double.IsNaN(agreement) ? null : agreement);
    }

    private static float[] Widen(HostTensor tensor)
    {
        var values = new float[checked((int)tensor.ElementCount)];
        FloatWidening.TryWiden(tensor.ElementType, tensor.Data, values);
        return values;
    }
}
