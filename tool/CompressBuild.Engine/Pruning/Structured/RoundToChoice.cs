using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// The rule of <c>round_to: auto</c>, apart from the timing. The candidate is this CPU's NCHWc block
/// (<see cref="CpuFeatures.NchwcBlock"/>: 16 with AVX-512, 8 with AVX2): ONNX Runtime runs a Conv on its NCHWc kernels
/// only when the block divides its channel counts, and the gain comes when every count of a chain fits, which a
/// group timed alone does not show (a fixed 16 measured 1.06-1.11x over round_to 1 on the detector, a per-group choice
/// 1.00x). The block model stands against round_to 1 in a whole-model timing and keeps the choice unless round_to 1 is
/// faster in the median of the per-round ratios.
/// </summary>
internal static class RoundToChoice
{
    /// <summary>The multiple auto tries against 1 on this CPU; 1 when the CPU has no NCHWc kernels.</summary>
    public static int Block => CpuFeatures.NchwcBlock;

    /// <summary>
    /// <paramref name="block"/> unless <paramref name="one"/> was faster in the median of the per-round time ratios (each round
    /// times both models back to back, so load that comes and goes hits both sides of a ratio alike). A tie keeps the block:
    /// it is what the kernels are built for, and timing on a busy machine should not flip it.
    /// </summary>
    public static RoundToCandidate Choose(RoundToCandidate one, RoundToCandidate block)
    {
        var rounds = Math.Min(one.Times.Count, block.Times.Count);
        var ratios = Enumerable.Range(0, rounds).Where(r => one.Times[r] > 0).Select(r => block.Times[r] / one.Times[r]).Order().ToList();
        return ratios.Count > 0 && Median(ratios) > 1 ? one : block;
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
