using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Pipeline.Search;

namespace CompressBuild.Engine.Pipeline;

/// <summary>
/// One model's outcome. <see cref="Output"/> is written only when a candidate met every budget; otherwise the
/// result names the trials and the budgets they missed, and nothing is handed back.
/// </summary>
public sealed record ModelRunResult(
    string Name,
    string Model,
    string? Output,
    bool Passed,
    IReadOnlyList<Trial> Trials,
    Trial? Chosen,
    Trial Shown,
    string StopReason,
    int CacheHits,
    VerificationResult? Verification,
    IReadOnlyList<string> Reports)
{
    /// <summary>No candidate passed and the closest one's output is NaN/infinite or collapsed: an error even with misses as warnings.</summary>
    public bool Broken => !Passed && Verification?.Broken == true;

    /// <summary>How many of <see cref="CacheHits"/> came from the remote cache.</summary>
    public int RemoteHits { get; init; }
}
