using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Evaluation.Metrics;

/// <summary>
/// Runs a reference and a candidate model on the same samples and compares every output (cosine, MSE, max abs
/// error, SQNR; top-1 agreement and, with labels, accuracy for classification outputs). Streams: one sample's
/// outputs are held at a time.
/// </summary>
public static class ModelComparison
{
    /// <param name="labels">One class label per row of the first classification output (one per sample at batch 1), or null.</param>
    /// <param name="ctc">The ctc metric's output, keys and truth text, or null for none.</param>
    public static ComparisonResult Run(InferenceSession reference, InferenceSession candidate, Dataset data, long[]? labels = null, int topK = 5, CtcScoring? ctc = null)
    {
        var missing = reference.Outputs.Where(o => candidate.Outputs.All(c => c.Name != o.Name)).Select(o => o.Name).ToList();
        if (missing.Count > 0)
        {
            throw new CompressBuildException(DiagnosticCodes.ModelsDoNotMatch,
                $"the candidate lacks the reference's output(s) {string.Join(", ", missing)}; it has {string.Join(", ", candidate.Outputs.Select(o => o.Name))}.");
        }

        var outputs = reference.Outputs.Where(o => o.IsTensor && FloatWidening.IsSupported(o.ElementType)).ToList();
        var names = outputs.Select(o => o.Name).ToList();
        var labelled = labels is null ? -1 : outputs.FindIndex(IsClassification);
        var comparisons = outputs.Select((o, k) => new OutputComparison(o.Name, IsClassification(o) ? (int)o.Shape[^1] : 0, k == labelled ? topK : 0)).ToList();
        var text = ctc is null ? null : new TextComparison(ctc);
        var textIndex = ctc is null ? -1 : names.IndexOf(ctc.Output);
        var labelCursor = 0;
        float[] r = [], c = [];
        for (var i = 0; i < data.Count; i++)
        {
            Deadline.ThrowIfExpired();
            var sample = data.Sample(i);
            var referenceOut = reference.Run(sample, names);
            var candidateOut = candidate.Run(sample, names);
            for (var k = 0; k < names.Count; k++)
            {
                var count = checked((int)referenceOut[k].ElementCount);
                if (candidateOut[k].ElementCount != count)
                {
                    throw new CompressBuildException(DiagnosticCodes.ModelsDoNotMatch,
                        $"output '{names[k]}' has shape {TensorShape.Format(candidateOut[k].Shape)} in the candidate but {TensorShape.Format(referenceOut[k].Shape)} in the reference (sample {i}).");
                }

                if (r.Length < count)
                {
                    r = new float[count];
                    c = new float[count];
                }

                FloatWidening.TryWiden(referenceOut[k].ElementType, referenceOut[k].Data, r.AsSpan(0, count));
                FloatWidening.TryWiden(candidateOut[k].ElementType, candidateOut[k].Data, c.AsSpan(0, count));
                ReadOnlySpan<long> rowLabels = default;
                if (k == labelled)
                {
                    var rows = count / comparisons[k].Classes;
                    rowLabels = labels.AsSpan(Math.Min(labelCursor, labels!.Length), Math.Max(0, Math.Min(rows, labels.Length - labelCursor)));
                    labelCursor += rows;
                }

                comparisons[k].Add(r.AsSpan(0, count), c.AsSpan(0, count), rowLabels);
                if (k == textIndex)
                {
                    text!.Add(r.AsSpan(0, count), c.AsSpan(0, count), referenceOut[k].Shape);
                }
            }
        }

        return new ComparisonResult(data.Count, comparisons.Select(x => x.Result()).ToList()) { Text = text?.Result() };
    }

    /// <summary>Class scores: a real tensor of shape [C] or [N, C] with at least two classes.</summary>
    public static bool IsClassification(ValueInfo output) =>
        output.Shape.Count is 1 or 2 && output.Shape[^1] >= 2 && FloatWidening.IsSupported(output.ElementType);
}
