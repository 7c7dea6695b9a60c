namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// The rule of <c>round_to: auto</c>, apart from the timing: which counts a group may keep, and which one to take.
/// Counts only round up from the allocation's (keeping more channels never costs accuracy); the allocation's own
/// count stands unless a larger one is clearly faster, so noise on a busy machine rarely flips the choice.
/// </summary>
internal static class RoundToChoice
{
    /// <summary>The multiples tried: up to 32, the widest block any ONNX Runtime CPU kernel packs channels in (MLAS NCHWc: 8 on AVX2, 16 on AVX-512).</summary>
    public static readonly IReadOnlyList<int> Multiples = [1, 4, 8, 16, 32];

    /// <summary>A larger count must be at least this fraction faster than the current choice to replace it.</summary>
    public const double Tolerance = 0.10;

    /// <summary>
    /// The distinct counts (with the largest multiple that gives each) from rounding <paramref name="keep"/> up to each
    /// multiple, at most <paramref name="size"/>, smallest first.
    /// </summary>
    public static IReadOnlyList<(int Count, int Multiple)> Counts(int keep, int size)
    {
        var counts = new SortedDictionary<int, int>();
        foreach (var multiple in Multiples)
        {
            var count = (keep + multiple - 1) / multiple * multiple;
            if (count <= size)
            {
                counts[count] = Math.Max(counts.GetValueOrDefault(count), multiple);
            }
        }

        return counts.Select(c => (c.Key, c.Value)).ToList();
    }

    /// <summary>
    /// Smallest count first; a larger one wins only when it is faster than the current choice by <see cref="Tolerance"/>,
    /// judged on the median of the per-round time ratios (each round times every candidate back to back, so load that
    /// comes and goes hits both sides of a ratio alike).
    /// </summary>
    public static RoundToCandidate Choose(IReadOnlyList<RoundToCandidate> candidates)
    {
        ArgumentOutOfRangeException.ThrowIfZero(candidates.Count);
        var ordered = candidates.OrderBy(c => c.Count).ToList();
        var chosen = ordered[0];
        foreach (var candidate in ordered.Skip(1))
        {
            var rounds = Math.Min(candidate.Times.Count, chosen.Times.Count);
            var ratios = Enumerable.Range(0, rounds).Where(r => chosen.Times[r] > 0).Select(r => candidate.Times[r] / chosen.Times[r]).Order().ToList();
            if (ratios.Count > 0 && Median(ratios) <= 1 - Tolerance)
            {
                chosen = candidate;
            }
        }

        return chosen;
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
