using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;

namespace CompressBuild.Engine.Budgets;

/// <summary>The measurements a budget's check holds against its value; checks add advisories for what they could not check.</summary>
public sealed record BudgetInputs(
    BudgetSet Budgets,
    ComparisonResult Metrics,
    LatencyComparison? Latency,
    ModelSize Reference,
    ModelSize Candidate,
    MachineInfo Machine,
    ICollection<Advisory> Advisories);
