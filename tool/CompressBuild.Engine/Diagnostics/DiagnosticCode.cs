namespace CompressBuild.Engine.Diagnostics;

/// <summary>
/// A documented CompressBuild diagnostic code. The thousands digit is the category:
/// 1 budget or regression, 2 invalid input, 3 environment, 4 advisory.
/// </summary>
public readonly record struct DiagnosticCode(int Number)
{
    public string Id => $"CB{Number:D4}";

    public DiagnosticCategory Category => (Number / 1000) switch
    {
        1 => DiagnosticCategory.Budget,
        2 => DiagnosticCategory.InvalidInput,
        3 => DiagnosticCategory.Environment,
        4 => DiagnosticCategory.Advisory,
        _ => throw new InvalidOperationException($"CB{Number:D4} has no category."),
    };

    public int ExitCode => Category switch
    {
        DiagnosticCategory.Budget => ExitCodes.BudgetMissed,
        DiagnosticCategory.InvalidInput => ExitCodes.InvalidInput,
        DiagnosticCategory.Environment => ExitCodes.EnvironmentProblem,
        _ => ExitCodes.Ok,
    };

    public override string ToString() => Id;
}
