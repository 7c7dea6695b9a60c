namespace CompressBuild.Engine.Evaluation.Metrics;

/// <summary>
/// The ctc metric's result: both models' greedy-decoded text scored by character accuracy (1 - edit distance / truth length, summed
/// over the lines) against the text labels, or, without labels, against the reference's own text (the reference then scores 1).
/// </summary>
/// <param name="Output">The recognizer output that was decoded ([N, T, C]).</param>
/// <param name="Classes">Scores per time step: blank, the keys and, when <paramref name="AppendsSpace"/>, the space.</param>
/// <param name="Characters">Characters of the truth the accuracies are over.</param>
/// <param name="AgainstLabels">True when scored against text labels; false: against the reference's decoded text.</param>
/// <param name="Agreement">The candidate's character accuracy against the reference's decoded text.</param>
/// <param name="ReferenceLines">Share of lines the reference decodes exactly as the truth.</param>
/// <param name="CandidateLines">Share of lines the candidate decodes exactly as the truth.</param>
/// <param name="OutsideKeys">Distinct truth characters the keys lack (no model can output them), in order of appearance.</param>
public sealed record TextAccuracy(
    string Output,
    int Classes,
    bool AppendsSpace,
    int Lines,
    long Characters,
    bool AgainstLabels,
    double ReferenceAccuracy,
    double CandidateAccuracy,
    double Agreement,
    double ReferenceLines,
    double CandidateLines,
    string OutsideKeys)
{
    /// <summary>Reference minus candidate character accuracy, a fraction (0.01 = one point lost).</summary>
    public double Drop => ReferenceAccuracy - CandidateAccuracy;

    /// <summary>Character error rate of the reference: 1 - its character accuracy.</summary>
    public double ReferenceCer => 1 - ReferenceAccuracy;

    public double CandidateCer => 1 - CandidateAccuracy;
}
