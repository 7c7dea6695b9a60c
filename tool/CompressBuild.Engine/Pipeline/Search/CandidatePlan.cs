using CompressBuild.Engine.Pipeline.Passes;

namespace CompressBuild.Engine.Pipeline.Search;

/// <summary>The passes one trial applies, and why the search chose them (for the report).</summary>
public sealed record CandidatePlan(IReadOnlyList<PassPlan> Passes, string Origin)
{
    public string Describe() => Passes.Count == 0 ? "(no passes)" : string.Join(" -> ", Passes.Select(p => p.Describe()));

    /// <summary>A short form for tables: each pass's name and main choices, e.g. "prune channel 0.25 -> quantize int8-static".</summary>
    public string Brief() => Passes.Count == 0 ? "(none)" : string.Join(" -> ", Passes.Select(p => p.Pass.Brief(p)));

    public int IndexOf(IPass pass) => Passes.ToList().FindIndex(p => p.Pass == pass);

    public CandidatePlan Replace(int index, PassPlan pass, string origin) =>
        new(Passes.Select((p, i) => i == index ? pass : p).ToList(), origin);
}
