namespace CompressBuild.Engine.Budgets;

public enum BudgetStatus
{
    Passed,
    Failed,

    /// <summary>Measured and reported but not enforced (an absolute latency on another machine).</summary>
    NotEnforced,
}
