namespace CompressBuild.Engine.Pipeline.Search;

/// <summary>The passes one trial applies, and why the search chose them (for the report).</summary>
public sealed record CandidatePlan(IReadOnlyList<PassPlan> Passes, string Origin)
{
    public string Describe() => Passes.Count == 0 ? "(no passes)" : string.Join(" -> ", Passes.Select(p => p.Describe()));

    /// <summary>A short form for tables: each pass's kind and main choices, e.g. "prune channel 0.25 -> quantize int8-static".</summary>
    public string Brief() => Passes.Count == 0 ? "(none)" : string.Join(" -> ", Passes.Select(p =>
        string.Join(" ", new[] { p.Kind, p.Get("mode") ?? p.Get("method"), p.Get("sparsity"), p.Get("keep_float_top") is { } k ? $"keep-float {k}" : null }
            .Where(x => x is not null).Select(x => x is IFormattable f ? f.ToString(null, System.Globalization.CultureInfo.InvariantCulture) : x!.ToString()))));

    public int IndexOf(string kind) => Passes.ToList().FindIndex(p => p.Kind == kind);

    public CandidatePlan Replace(int index, PassPlan pass, string origin) =>
        new(Passes.Select((p, i) => i == index ? pass : p).ToList(), origin);
}
