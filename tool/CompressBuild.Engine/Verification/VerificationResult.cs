using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Quantization.Fusion;

namespace CompressBuild.Engine.Verification;

/// <summary>What a verification measured and decided; the reports are rendered from this alone.</summary>
/// <param name="Samples">Samples evaluated (after --limit), whatever the batch.</param>
/// <param name="Latency">Null when latency was not measured.</param>
/// <param name="BaselineUpdated">True when this run wrote its metrics to the baseline file.</param>
public sealed record VerificationResult(
    string ModelName,
    string Candidate,
    string Reference,
    string Data,
    string? Labels,
    int Samples,
    int Batch,
    ComparisonResult Metrics,
    LatencyComparison? Latency,
    LatencyOptions LatencyOptions,
    int Threads,
    ModelSize ReferenceSize,
    ModelSize CandidateSize,
    MachineInfo Machine,
    string ToolVersion,
    string RuntimeVersion,
    IReadOnlyList<BudgetCheck> Checks,
    IReadOnlyList<Advisory> Advisories,
    string? BaselinePath,
    bool BaselineUpdated,
    IReadOnlyList<LayerSensitivity> LayerSensitivity)
{
    /// <summary>
    /// What ONNX Runtime made of the candidate's Q/DQ: integer kernels and float ops between DequantizeLinear and QuantizeLinear per
    /// op type, and the quantized nodes left float with the reason. Null for a candidate without Q/DQ or integer kernels.
    /// </summary>
    public FusionReport? Fusion { get; init; }

    /// <summary>What accuracy meant in this run (the ctc metric's figures are in <see cref="ComparisonResult.Text"/>).</summary>
    public AccuracyMetric Metric { get; init; } = AccuracyMetric.Top1;

    /// <summary>The ctc metric's keys file; null for top1.</summary>
    public string? Keys { get; init; }

    public bool Passed => Checks.All(c => c.Status != BudgetStatus.Failed);

    public IEnumerable<BudgetCheck> Misses => Checks.Where(c => c.Status == BudgetStatus.Failed);

    /// <summary>True when the candidate's output is NaN/infinite or collapsed (CB1010, CB1011): a miss no option excuses.</summary>
    public bool Broken => Misses.Any(m => FidelityFloors.IsBroken(m.Code));

    public double SizeRatio => (double)ReferenceSize.Bytes / Math.Max(1, CandidateSize.Bytes);
}
