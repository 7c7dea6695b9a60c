namespace CompressBuild.Engine.Pipeline.Search;

/// <summary>The passes one trial applies, and why the search chose them (for the report).</summary>
public sealed record CandidatePlan(IReadOnlyList<PassPlan> Passes, string Origin)
{
    public string Describe() => Passes.Count == 0 ? "(no passes)" : string.Join(" -> ", Passes.Select(p => p.Describe()));

    public int IndexOf(string kind) => Passes.ToList().FindIndex(p => p.Kind == kind);

    public CandidatePlan Replace(int index, PassPlan pass, string origin) =>
        new(Passes.Select((p, i) => i == index ? pass : p).ToList(), origin);
}
