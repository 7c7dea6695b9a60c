namespace CompressBuild.Engine.Evaluation.Metrics;

/// <summary>
/// How a candidate's output compares with the reference's over a dataset. Agreement and accuracies are set only
/// for classification outputs (accuracies only when labels were given). <see cref="SqnrDb"/> is +infinity when
/// the outputs are identical.
/// </summary>
public sealed record OutputMetrics(
    string Name,
    bool IsClassification,
    int Samples,
    double Cosine,
    double MinCosine,
    double Mse,
    double MaxAbsError,
    double SqnrDb,
    double? Top1Agreement,
    AccuracyPair? Accuracy)
{
    /// <summary>Values the candidate gave as NaN or infinity where the reference's were finite.</summary>
    public long CandidateNotFinite { get; init; }

    /// <summary>True when the candidate's output never changed (over all samples and elements) while the reference's did.</summary>
    public bool CandidateConstant { get; init; }

    /// <summary>False when the reference's output never changed: cosine and SQNR say little about a constant signal.</summary>
    public bool ReferenceVaries { get; init; } = true;
}
