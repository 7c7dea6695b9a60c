namespace CompressBuild.Engine.Diagnostics;

/// <summary>Process exit codes shared by the CLI, the MSBuild tasks and CI gates.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int UnexpectedFailure = 1;
    public const int BudgetMissed = 2;
    public const int EnvironmentProblem = 3;
    public const int InvalidInput = 4;
}
