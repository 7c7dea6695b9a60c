using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Quantization.Fusion;

namespace CompressBuild.Engine.Verification;

/// <summary>Everything one verification needs: the CLI, the pipeline and the MSBuild task build one of these.</summary>
/// <param name="Candidate">The compressed model file.</param>
/// <param name="Reference">The original model file.</param>
/// <param name="Data">Evaluation data (.npy, .npz, folder of &lt;input&gt;.npy, test_data_set_N folders).</param>
public sealed record VerificationRequest(string Candidate, string Reference, string Data)
{
    /// <summary>
    /// Class labels (.npy or text, one per sample), or with the ctc metric the ground-truth text (one line per sample); an accuracy budget
    /// needs them, except with the ctc metric, which then scores against the reference's own text.
    /// </summary>
    public string? Labels { get; init; }

    /// <summary>What accuracy means: top-1 of class scores, or ctc (a text recognizer's character accuracy).</summary>
    public AccuracyMetric Metric { get; init; } = AccuracyMetric.Top1;

    /// <summary>The ctc metric's character list (PaddleOCR's keys file: one character per line); required by it, ignored otherwise.</summary>
    public string? Keys { get; init; }

    /// <summary>Use only the first N samples.</summary>
    public int? Limit { get; init; }

    /// <summary>Samples per inference (models with a symbolic first dimension); 1 feeds one sample at a time.</summary>
    public int Batch { get; init; } = 1;

    public int TopK { get; init; } = 5;

    /// <summary>Intra-op threads for both models (the same for both, so the speedup compares like with like). 0 = ORT's default.</summary>
    public int Threads { get; init; } = 1;

    public BudgetSet Budgets { get; init; } = new();

    /// <summary>Measure latency even when no latency budget asks for it (reports always show it).</summary>
    public bool MeasureLatency { get; init; } = true;

    public LatencyOptions Latency { get; init; } = new();

    /// <summary>How many (batched) samples the latency loop cycles through.</summary>
    public int LatencySamples { get; init; } = 16;

    /// <summary>compress.baseline.json, or null for none.</summary>
    public string? Baseline { get; init; }

    /// <summary>Record this run's metrics in <see cref="Baseline"/> (when every budget holds) instead of comparing against it.</summary>
    public bool UpdateBaseline { get; init; }

    /// <summary>
    /// The candidate's fusion report when the pass that wrote the candidate already read it (run's quantize pass), so
    /// verification does not open ONNX Runtime a second time for it; null: verification reads it from the candidate.
    /// </summary>
    public FusionReport? Fusion { get; init; }

    /// <summary>The last release's baselines: this run is also held against them (checks named <c>release.*</c>).</summary>
    public ReleaseBaseline? Release { get; init; }

    /// <summary>The model's key in the baseline and the reports; the candidate's file name when null.</summary>
    public string? ModelName { get; init; }

    /// <summary>Per-layer sensitivity a compression pass measured, shown in the reports.</summary>
    public IReadOnlyList<LayerSensitivity> LayerSensitivity { get; init; } = [];
}
