using System.Globalization;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// The rules of <c>round_to: auto</c>. The candidate is this CPU's NCHWc block (<see cref="CpuFeatures.NchwcBlock"/>: 16 with
/// AVX-512, 8 with AVX2): ONNX Runtime runs a Conv on its NCHWc kernels only when the block divides its channel counts, and
/// the gain comes when every count of a chain fits, which a group timed alone does not show (a fixed 16 measured 1.06-1.11x
/// over round_to 1 on the detector, a per-group choice 1.00x). <see cref="Rule"/> decides from the two plans' removed
/// multiply-adds and output distortions only, so the bytes do not depend on timing; <see cref="Choose"/> judges the whole-model timing that confirms it.
/// </summary>
internal static class RoundToChoice
{
    /// <summary>
    /// The block is kept when its plan removes at least this share of the multiply-adds the plan at round_to 1 removes. Whole
    /// models pruned at the block ran 1.02-1.17x faster than at round_to 1 here (detector at 16, cnn_residual at 8) when they
    /// removed about as much; a plan that removes a quarter less (a uniform ratio rounded up in small groups, or groups no larger
    /// than the block left whole) gives back more than the kernels gain. A judgement from those figures, not a fitted model.
    /// </summary>
    public const double MinRemovedShare = 0.75;

    /// <summary>
    /// With calibration data, the block is kept only while its plan's output distortion (all its channels removed together, on
    /// calibration samples) is at most this many times round_to 1's: steps of 16 channels in narrow groups can remove from
    /// sensitive groups what round_to 1 takes in small steps elsewhere. Measured before reconstruction, which recovers part of
    /// it: the detector's plan at 16 measured 1.37x and ended at the same cosine as round_to 1 (0.9822 against 0.9824), the
    /// classifier's 1.93-3.41x and ended at 0.957 against 0.983. A limit between those two models, not a fitted one.
    /// </summary>
    public const double MaxDistortionRatio = 1.5;

    /// <summary>The multiple auto tries against 1 on this CPU; 1 when the CPU has no NCHWc kernels.</summary>
    public static int Block => CpuFeatures.NchwcBlock;

    /// <summary>
    /// The deterministic choice: <paramref name="block"/> unless it removes less than <see cref="MinRemovedShare"/> of what
    /// round_to 1 removes, or its output distortion is over <see cref="MaxDistortionRatio"/> times round_to 1's.
    /// </summary>
    /// <param name="removedAtOne">Multiply-adds the plan at round_to 1 removes.</param>
    /// <param name="removedAtBlock">Multiply-adds the plan at the block removes.</param>
    /// <param name="distortion">Each plan's measured output distortion; null without calibration data.</param>
    public static (int Multiple, string Reason) Rule(double removedAtOne, double removedAtBlock, int block, (double One, double Block)? distortion = null)
    {
        if (block <= 1)
        {
            return (1, "this CPU has no NCHWc kernels (no AVX2 or AVX-512), so there is no block to round to");
        }

        var share = removedAtOne <= 0 ? 1 : removedAtBlock / removedAtOne;
        var what = string.Create(CultureInfo.InvariantCulture, $"round_to {block} (this CPU's NCHWc block)");
        if (share >= MinRemovedShare && distortion is var (one, atBlock) && atBlock > MaxDistortionRatio * one)
        {
            return (1, string.Create(CultureInfo.InvariantCulture,
                $"{what} removes {share * 100:0}% of the multiply-adds round_to 1 removes, but its output distortion on calibration samples is {atBlock / one:0.00}x round_to 1's " +
                    $"(above {MaxDistortionRatio:0.00}x)"));
        }

        return share >= MinRemovedShare
            ? (block, string.Create(CultureInfo.InvariantCulture,
                $"{what} removes {share * 100:0}% of the multiply-adds round_to 1 removes (at least {MinRemovedShare * 100:0}%)"))
            : (1, string.Create(CultureInfo.InvariantCulture,
                $"{what} would remove only {share * 100:0}% of the multiply-adds round_to 1 removes (below {MinRemovedShare * 100:0}%)"));
    }

    /// <summary>
    /// <paramref name="block"/> unless <paramref name="one"/> was faster in the median of the per-round time ratios (each round
    /// times both models back to back, so load that comes and goes hits both sides of a ratio alike). A tie keeps the block:
    /// it is what the kernels are built for, and timing on a busy machine should not flip it.
    /// </summary>
    public static RoundToCandidate Choose(RoundToCandidate one, RoundToCandidate block) =>
        Ratios(one, block) is { Length: > 0 } ratios && LatencyStatistics.Percentile(ratios, 0.5) > 1 ? one : block;

    /// <summary>Per round, the block's time over round_to 1's, sorted.</summary>
    public static double[] Ratios(RoundToCandidate one, RoundToCandidate block)
    {
        var rounds = Math.Min(one.Times.Count, block.Times.Count);
        return [.. Enumerable.Range(0, rounds).Where(r => one.Times[r] > 0).Select(r => block.Times[r] / one.Times[r]).Order()];
    }

    /// <summary>
    /// Whether the timing contradicts <paramref name="chosen"/> beyond the noise: the other candidate was faster in at least
    /// three quarters of the rounds (the quartile of the per-round ratios on the chosen one's side is past 1).
    /// </summary>
    public static bool Contradicts(int chosen, double[] sortedRatios) =>
        sortedRatios.Length > 0 && (chosen == 1 ? LatencyStatistics.Percentile(sortedRatios, 0.75) < 1 : LatencyStatistics.Percentile(sortedRatios, 0.25) > 1);
}
