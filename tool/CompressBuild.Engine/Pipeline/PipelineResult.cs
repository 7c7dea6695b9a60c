using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Pipeline;

public sealed record PipelineResult(string Config, IReadOnlyList<ModelRunResult> Models, IReadOnlyList<string> Reports)
{
    public bool Passed => Models.All(m => m.Passed);

    /// <summary>Budget misses were reported as warnings (<c>--misses-as-warnings</c>): they do not fail the run.</summary>
    public bool MissesAsWarnings { get; init; }

    /// <summary>Cache warnings of the run (remote unavailable or refusing, damaged remote entries): reported once each, never failing the run.</summary>
    public IReadOnlyList<Advisory> CacheWarnings { get; init; } = [];

    /// <summary>Misses as warnings never excuse a broken model (NaN/infinite or collapsed output).</summary>
    public int ExitCode => Passed || (MissesAsWarnings && !Models.Any(m => m.Broken)) ? ExitCodes.Ok : ExitCodes.BudgetMissed;
}
