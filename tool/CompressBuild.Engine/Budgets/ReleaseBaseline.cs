namespace CompressBuild.Engine.Budgets;

/// <summary>
/// The baselines a published release shipped (merged from its package's <c>compressbuild/baselines/*.json</c>):
/// a run compared against it may not be worse than the last release beyond the usual tolerances (CB1005).
/// </summary>
/// <param name="Label">Names the release in messages, e.g. "MyApp 1.2.0 on https://feed/index.json".</param>
public sealed record ReleaseBaseline(string Label, BaselineDocument Document);
