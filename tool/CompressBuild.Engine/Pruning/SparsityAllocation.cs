namespace CompressBuild.Engine.Pruning;

public enum SparsityAllocation
{
    /// <summary>Raw magnitudes ranked as they are.</summary>
    Uniform,

    /// <summary>
    /// Layer-adaptive magnitude pruning (Lee et al., 2021): a weight's score is its square over the sum of squares
    /// of the weights of its layer that are at least as large, so each layer's largest weight scores 1 and no
    /// layer is emptied by a global ranking.
    /// </summary>
    Lamp,

    /// <summary>
    /// Channel method, with calibration data: each channel group's ratio follows the output distortion measured when
    /// that group alone is pruned at a few ratios (the global multiply-add budget of the uniform ratio, spent where it
    /// distorts least); see <see cref="Structured.DistortionAllocation"/>.
    /// </summary>
    Distortion,

    /// <summary>
    /// Magnitude per layer with calibration data: outlier-weighted layerwise sparsity (Yin et al. 2023), layers whose
    /// |w| * ||x|| has more outliers are pruned less, same total; see <see cref="Unstructured.LayerAllocation.ByOutliers"/>.
    /// </summary>
    Owl,

    /// <summary>
    /// Channel method, with calibration data: as <see cref="Distortion"/>, but each step's cost is the time it saves by a measured
    /// per-group latency table (ALCS), not its multiply-adds: the budget is the latency the uniform ratio saves, spent on the steps with
    /// the least distortion per millisecond saved; see <see cref="Structured.Latency.LatencyTableSource"/>.
    /// </summary>
    Latency,
}
