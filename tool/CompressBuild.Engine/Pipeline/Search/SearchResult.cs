namespace CompressBuild.Engine.Pipeline.Search;

/// <summary>Every trial in order, the chosen one (the smallest that passed; null when none did), and why the search stopped.</summary>
public sealed record SearchResult(Trial? Chosen, IReadOnlyList<Trial> Trials, string StopReason);
