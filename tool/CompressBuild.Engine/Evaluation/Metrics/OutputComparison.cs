using System.Numerics.Tensors;

namespace CompressBuild.Engine.Evaluation.Metrics;

/// <summary>
/// Running comparison of one output, sample by sample, in constant memory: sums for cosine, MSE and SQNR, the
/// largest absolute error, and for classification outputs (rows of class scores along the last axis) top-1
/// agreement and, with labels, accuracy of both models.
/// </summary>
public sealed class OutputComparison
{
    private readonly TopKCounter? referenceAccuracy;
    private readonly TopKCounter? candidateAccuracy;
    private float[] difference = [];
    private int samples;
    private double cosineSum;
    private double minCosine = 1;
    private double signalEnergy;
    private double errorEnergy;
    private long elements;
    private double maxAbsError;
    private long rows;
    private long agreeingRows;
    private long candidateNotFinite;
    private float referenceLow = float.PositiveInfinity;
    private float referenceHigh = float.NegativeInfinity;
    private float candidateLow = float.PositiveInfinity;
    private float candidateHigh = float.NegativeInfinity;

    /// <param name="classes">Scores per row for a classification output; 0 for a regression output.</param>
    /// <param name="topK">K for top-k accuracy when labels are given; 0 when there are no labels.</param>
    public OutputComparison(string name, int classes, int topK)
    {
        Name = name;
        Classes = classes;
        if (classes > 0 && topK > 0)
        {
            referenceAccuracy = new TopKCounter(Math.Min(topK, classes));
            candidateAccuracy = new TopKCounter(Math.Min(topK, classes));
        }
    }

    public string Name { get; }

    public int Classes { get; }

    /// <summary>Adds one sample's output. <paramref name="labels"/> holds one label per row (classification with labels).</summary>
    public void Add(ReadOnlySpan<float> reference, ReadOnlySpan<float> candidate, ReadOnlySpan<long> labels = default)
    {
        if (reference.Length != candidate.Length)
        {
            throw new ArgumentException($"output '{Name}' has {reference.Length} values in the reference and {candidate.Length} in the candidate.");
        }

        samples++;
        Track(reference, candidate);
        var referenceNorm = TensorPrimitives.Norm(reference);
        var candidateNorm = TensorPrimitives.Norm(candidate);
        var cosine = referenceNorm == 0 && candidateNorm == 0 ? 1
            : referenceNorm == 0 || candidateNorm == 0 ? 0
            : Math.Clamp(TensorPrimitives.Dot(reference, candidate) / ((double)referenceNorm * candidateNorm), -1, 1);
        cosineSum += cosine;
        minCosine = Math.Min(minCosine, cosine);

        if (difference.Length < reference.Length)
        {
            difference = new float[reference.Length];
        }

        var diff = difference.AsSpan(0, reference.Length);
        TensorPrimitives.Subtract(reference, candidate, diff);
        errorEnergy += TensorPrimitives.SumOfSquares(diff);
        signalEnergy += TensorPrimitives.SumOfSquares(reference);
        elements += reference.Length;
        if (diff.Length > 0)
        {
            maxAbsError = Math.Max(maxAbsError, Math.Abs(TensorPrimitives.MaxMagnitude(diff)));
        }

        if (Classes <= 0)
        {
            return;
        }

        for (int row = 0, offset = 0; offset + Classes <= reference.Length; row++, offset += Classes)
        {
            var r = reference.Slice(offset, Classes);
            var c = candidate.Slice(offset, Classes);
            rows++;
            if (TensorPrimitives.IndexOfMax(r) == TensorPrimitives.IndexOfMax(c))
            {
                agreeingRows++;
            }

            if (referenceAccuracy is not null && row < labels.Length)
            {
                referenceAccuracy.Add(r, labels[row]);
                candidateAccuracy!.Add(c, labels[row]);
            }
        }
    }

    /// <summary>Broken-output evidence: non-finite candidate values and both models' value ranges.</summary>
    private void Track(ReadOnlySpan<float> reference, ReadOnlySpan<float> candidate)
    {
        if (reference.Length == 0)
        {
            return;
        }

        for (var i = 0; i < candidate.Length; i++)
        {
            if (!float.IsFinite(candidate[i]) && float.IsFinite(reference[i]))
            {
                candidateNotFinite++;
            }
        }

        referenceLow = Math.Min(referenceLow, TensorPrimitives.MinNumber(reference));
        referenceHigh = Math.Max(referenceHigh, TensorPrimitives.MaxNumber(reference));
        candidateLow = Math.Min(candidateLow, TensorPrimitives.MinNumber(candidate));
        candidateHigh = Math.Max(candidateHigh, TensorPrimitives.MaxNumber(candidate));
    }

    public OutputMetrics Result() => new(
        Name,
        Classes > 0,
        samples,
        samples == 0 ? 1 : cosineSum / samples,
        minCosine,
        elements == 0 ? 0 : errorEnergy / elements,
        maxAbsError,
        errorEnergy == 0 ? double.PositiveInfinity : 10 * Math.Log10(signalEnergy / errorEnergy),
        Classes > 0 ? (rows == 0 ? 1 : (double)agreeingRows / rows) : null,
        referenceAccuracy is null ? null : new AccuracyPair(referenceAccuracy.K, referenceAccuracy.Top1, candidateAccuracy!.Top1, referenceAccuracy.TopK, candidateAccuracy.TopK))
    {
        CandidateNotFinite = candidateNotFinite,
        CandidateConstant = candidateHigh == candidateLow && referenceHigh > referenceLow,
        ReferenceVaries = !(referenceHigh <= referenceLow),
    };
}
