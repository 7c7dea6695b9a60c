namespace CompressBuild.Engine.Budgets;

/// <summary>
/// The limits a candidate must meet; null means "no budget". Accuracy drop and agreement are fractions
/// (0.01 = one percentage point), size is in MB of 1,000,000 bytes, latency in milliseconds.
/// <see cref="BudgetRegistry"/> describes each property: its key, unit, range and check.
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

    /// <summary>How much worse than its baseline (or the last release) a model may get.</summary>
    public BaselineTolerances Tolerances { get; init; } = new();

    public bool NeedsLatency => MinSpeedup is not null || MaxLatencyMs is not null;

    /// <summary>Fails with CB2060 (CB2046 for a fraction above 1) naming the first budget whose value is out of its range.</summary>
    public void Validate(string? file = null)
    {
        foreach (var budget in BudgetRegistry.All.Where(b => b.IsNumber))
        {
            if (budget.Read(this) is double value)
            {
                budget.CheckRange(value, file);
            }
        }
    }
}
