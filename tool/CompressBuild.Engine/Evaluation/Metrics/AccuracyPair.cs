namespace CompressBuild.Engine.Evaluation.Metrics;

/// <summary>Top-1 and top-k accuracy of the reference and of the candidate against the same labels.</summary>
public sealed record AccuracyPair(int K, double ReferenceTop1, double CandidateTop1, double ReferenceTopK, double CandidateTopK)
{
    /// <summary>Reference top-1 minus candidate top-1, as a fraction (0.01 = one percentage point lost).</summary>
    public double Top1Drop => ReferenceTop1 - CandidateTop1;
}
