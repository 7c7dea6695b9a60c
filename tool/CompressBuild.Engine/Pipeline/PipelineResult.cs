using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Pipeline;

public sealed record PipelineResult(string Config, IReadOnlyList<ModelRunResult> Models, IReadOnlyList<string> Reports)
{
    public bool Passed => Models.All(m => m.Passed);

    public int ExitCode => Passed ? ExitCodes.Ok : ExitCodes.BudgetMissed;
}
