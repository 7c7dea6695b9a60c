using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;

namespace CompressBuild.Engine.Verification;

/// <summary>
/// The one path that writes baselines: an entry is built from a verification already done, never by verifying
/// again, so <c>verify --update-baseline</c>, <c>run --update-baseline</c> and <c>run --record-baseline</c>
/// record the very figures the run was judged on.
/// </summary>
public static class BaselineRecorder
{
    /// <summary>The baseline entry of a verification: what compress.baseline.json keeps for its model.</summary>
    public static BaselineEntry EntryFor(VerificationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var metrics = result.Metrics;
        var latency = result.Latency;
        var primary = BaselineComparer.Primary(metrics);
        var first = metrics.Outputs.Count > 0 ? metrics.Outputs[0] : null;
        return new BaselineEntry(
            Path.GetFileName(result.Reference),
            result.Samples,
            Round(metrics.Labelled?.Accuracy?.CandidateTop1, 6),
            Round(metrics.Labelled?.Accuracy?.ReferenceTop1, 6),
            Round(primary?.Top1Agreement, 6),
            Round(first?.Cosine, 6),
            first is null || double.IsInfinity(first.SqnrDb) ? null : Round(first.SqnrDb, 2),
            Round(latency?.Speedup.Ratio, 3),
            Round(latency?.Candidate.MedianMs, 4),
            result.CandidateSize.Bytes,
            result.CandidateSize.ZipBytes,
            result.Machine,
            result.ToolVersion,
            result.RuntimeVersion)
        {
            CharacterAccuracy = Round(metrics.Text?.CandidateAccuracy, 6),
            CharacterAgreement = Round(metrics.Text?.Agreement, 6),
        };
    }

    /// <summary>
    /// Records a passing verification under its model's name in the baseline file at <paramref name="path"/>,
    /// keeping the other models' entries; a failing one leaves the file as it is.
    /// </summary>
    /// <returns>The result, marked as recorded when it was.</returns>
    public static VerificationResult Update(VerificationResult result, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!result.Passed)
        {
            return result;
        }

        var document = BaselineFile.TryLoad(path) ?? BaselineDocument.Empty();
        document.Models[result.ModelName] = EntryFor(result);
        BaselineFile.Save(document, path);
        return result with { BaselinePath = path, BaselineUpdated = true };
    }

    /// <summary>Writes a new baseline file holding exactly these verifications (the release's baseline a pack ships).</summary>
    public static void Write(IEnumerable<VerificationResult> results, string path)
    {
        var document = BaselineDocument.Empty();
        foreach (var result in results)
        {
            document.Models[result.ModelName] = EntryFor(result);
        }

        BaselineFile.Save(document, path);
    }

    private static double? Round(double? value, int digits) => value is { } v ? Math.Round(v, digits, MidpointRounding.ToEven) : null;
}
