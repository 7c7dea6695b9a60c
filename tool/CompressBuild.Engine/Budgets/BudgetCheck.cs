using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Budgets;

/// <summary>
/// One budget or baseline limit held against one measurement. <see cref="Message"/> is the line a miss prints:
/// the measured value, the budget and the reference (or baseline) value.
/// </summary>
/// <param name="Name">Stable identifier, e.g. <c>min-cosine[logits]</c> or <c>baseline.accuracy</c>: JUnit test case names.</param>
/// <param name="Kind">What the check guards; a baseline or release check has the kind of the figure it compares.</param>
/// <param name="Unit">How the numbers read: "fraction", "ratio", "dB", "ms", "bytes", "MB" (1,000,000 bytes).</param>
/// <param name="Reference">The reference model's value (or the baseline's, for baseline checks); null where there is none.</param>
public sealed record BudgetCheck(string Name, BudgetKind Kind, DiagnosticCode Code, BudgetStatus Status, double Measured, double Budget, double? Reference, string Unit, string Message);
