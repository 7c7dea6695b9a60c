namespace CompressBuild.Engine.Pruning.Unstructured;

/// <summary>
/// Sort keys that make every ranking a total order: a non-negative score's IEEE bits (which order like the
/// values) in the high half and the element's position in the low half, so equal scores fall back to position
/// and the result never depends on the sort algorithm.
/// </summary>
internal static class RankKey
{
    public static ulong Of(float nonNegativeScore, long position) =>
        ((ulong)BitConverter.SingleToUInt32Bits(nonNegativeScore) << 32) | (uint)position;

    public static uint Position(ulong key) => (uint)key;

    /// <summary>How many of <paramref name="count"/> elements a fraction removes, rounded to the nearest (half to even).</summary>
    public static long Target(double sparsity, long count) => (long)Math.Round(sparsity * count, MidpointRounding.ToEven);
}
