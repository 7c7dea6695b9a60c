namespace CompressBuild.Engine.Pruning;

/// <summary>
/// What channel <c>round_to: auto</c> (the default) chose and why. <see cref="Chosen"/> comes from a rule on the two candidate
/// plans alone (<see cref="Structured.RoundToChoice.Rule"/>: this CPU class's NCHWc block unless it removes too few
/// multiply-adds or distorts the output too much more), so the same model, config and CPU class give the same bytes; the whole-model times, which vary from run to
/// run, only confirm it or raise CB4072.
/// </summary>
/// <param name="Chosen">The round_to every group was pruned with: 1 or <paramref name="Block"/>.</param>
/// <param name="Block">This CPU's NCHWc block (16 with AVX-512, 8 with AVX2, 1 without NCHWc kernels).</param>
/// <param name="RemovedAtOne">Multiply-adds per sample the plan at round_to 1 removes.</param>
/// <param name="RemovedAtBlock">Multiply-adds per sample the plan at the block removes.</param>
/// <param name="Reason">Why <paramref name="Chosen"/>, in words.</param>
public sealed record RoundToDecision(int Chosen, int Block, double RemovedAtOne, double RemovedAtBlock, string Reason)
{
    /// <summary>
    /// Output squared error over output energy of the plan at round_to 1, its channels removed together on 4 calibration samples
    /// (before reconstruction); null without calibration data.
    /// </summary>
    public double? DistortionAtOne { get; init; }

    /// <summary>The same for the plan at the block.</summary>
    public double? DistortionAtBlock { get; init; }

    /// <summary>Median time (ms) of the whole model pruned at round_to 1, 1 thread; null when not timed.</summary>
    public double? MeasuredOneMs { get; init; }

    /// <summary>Median time (ms) of the whole model pruned at the block; null when not timed.</summary>
    public double? MeasuredBlockMs { get; init; }

    /// <summary>Median of the per-round ratios block time / round_to 1 time (below 1: the block ran faster); null when not timed.</summary>
    public double? MeasuredRatio { get; init; }

    /// <summary>Interleaved rounds the ratio is the median of (0 when not timed).</summary>
    public int MeasuredRounds { get; init; }
}
