namespace CompressBuild.Engine.Diagnostics;

/// <summary>"did you mean" for misspelt keys, choices, node names and op types: the closest candidate within a small edit distance.</summary>
public static class Suggestions
{
    public static string? Closest(string given, IEnumerable<string> candidates) => EditDistance.Closest(given, candidates);

    public static string DidYouMean(string given, IEnumerable<string> candidates) =>
        Closest(given, candidates) is { } match ? $" (did you mean '{match}'?)" : "";
}
