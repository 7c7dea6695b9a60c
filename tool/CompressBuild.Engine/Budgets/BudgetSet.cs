using System.Globalization;
using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Budgets;

/// <summary>
/// The limits a candidate must meet; null means "no budget". Accuracy drop and agreement are fractions
/// (0.01 = one percentage point), size is in MB of 1,000,000 bytes, latency in milliseconds.
/// </summary>
public sealed record BudgetSet
{
    public double? MaxAccuracyDrop { get; init; }

    public double? MinAgreement { get; init; }

    public double? MinCosine { get; init; }

    public double? MinSqnrDb { get; init; }

    public double? MinSpeedup { get; init; }

    public double? MaxSizeMb { get; init; }

    /// <summary>Reference bytes over candidate bytes (3.5 = at least 3.5x smaller).</summary>
    public double? MinSizeRatio { get; init; }

    /// <summary>Candidate median latency; enforced only on <see cref="LatencyMachine"/> or with <see cref="EnforceAbsoluteLatency"/>.</summary>
    public double? MaxLatencyMs { get; init; }

    /// <summary>The <see cref="Evaluation.MachineInfo.Id"/> of the machine <see cref="MaxLatencyMs"/> was set for.</summary>
    public string? LatencyMachine { get; init; }

    public bool EnforceAbsoluteLatency { get; init; }

    /// <summary>
    /// Relative slack under a speedup budget: two identical sessions on a shared machine differ by a few percent
    /// systematically (memory placement), which a narrow interval can resolve; that must not fail a build.
    /// </summary>
    public double SpeedupTolerance { get; init; } = 0.03;

    public bool NeedsLatency => MinSpeedup is not null || MaxLatencyMs is not null;

    /// <summary>Fails with CB2060 naming the first budget whose value makes no sense.</summary>
    public void Validate(string? file = null)
    {
        Check(MaxAccuracyDrop, "max_accuracy_drop", v => v is >= 0 and <= 1, "between 0% and 100%", percent: true);
        Check(MinAgreement, "min_agreement", v => v is >= 0 and <= 1, "between 0% and 100%", percent: true);
        Check(MinCosine, "min_cosine", v => v is >= -1 and <= 1, "between -1 and 1");
        Check(MinSqnrDb, "min_sqnr", double.IsFinite, "a finite number of dB");
        Check(MinSpeedup, "min_speedup", v => v > 0 && double.IsFinite(v), "a ratio above 0, e.g. 1.5");
        Check(MaxSizeMb, "max_size_mb", v => v > 0 && double.IsFinite(v), "a size above 0 MB");
        Check(MinSizeRatio, "min_size_ratio", v => v > 0 && double.IsFinite(v), "a ratio above 0, e.g. 3.5");
        Check(MaxLatencyMs, "max_latency_ms", v => v > 0 && double.IsFinite(v), "a time above 0 ms");
        Check(SpeedupTolerance, "speedup_tolerance", v => v is >= 0 and < 1, "between 0% and 100% (exclusive)", percent: true);

        void Check(double? value, string name, Func<double, bool> valid, string expected, bool percent = false)
        {
            if (value is { } v && (double.IsNaN(v) || !valid(v)))
            {
                var given = percent ? string.Create(CultureInfo.InvariantCulture, $"{v * 100:0.###}%") : v.ToString(CultureInfo.InvariantCulture);
                throw new CompressBuildException(DiagnosticCodes.BudgetInvalid, $"budget {name} must be {expected}; got {given}.", file);
            }
        }
    }
}
