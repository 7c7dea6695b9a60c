namespace CompressBuild.Conformance.Tests;

/// <summary>Every model of one suite with its outcome, and how long the suite took.</summary>
internal sealed record SuiteReport(string Suite, IReadOnlyList<CaseResult> Cases, TimeSpan Elapsed)
{
    public int Count(ConformanceOutcome outcome) => Cases.Count(c => c.Outcome == outcome);

    public int ByteIdentical => Cases.Count(c => c.ByteIdentical);

    public IReadOnlyList<CaseResult> With(ConformanceOutcome outcome) => Cases.Where(c => c.Outcome == outcome).ToList();
}
