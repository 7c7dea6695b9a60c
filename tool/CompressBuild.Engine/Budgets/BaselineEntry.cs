using System.Text.Json.Serialization;
using CompressBuild.Engine.Evaluation;

namespace CompressBuild.Engine.Budgets;

/// <summary>
/// The accepted metrics of one model, as committed in compress.baseline.json. Values are rounded so that a
/// re-recorded baseline only changes the lines whose numbers really moved. Null where not measured (no labels,
/// no classification output, latency not measured, identical outputs for SQNR).
/// </summary>
public sealed record BaselineEntry(
    string Reference,
    int Samples,
    double? AccuracyTop1,
    double? ReferenceAccuracyTop1,
    double? Agreement,
    double? Cosine,
    double? SqnrDb,
    double? Speedup,
    double? CandidateMedianMs,
    long SizeBytes,
    long ZipBytes,
    MachineInfo Machine,
    string Tool,
    string Runtime)
{
    /// <summary>The ctc metric's character accuracy of the candidate (against the text labels, else the reference's text); absent for top1.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? CharacterAccuracy { get; init; }

    /// <summary>The ctc metric's character agreement of the candidate's text with the reference's; absent for top1.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? CharacterAgreement { get; init; }
}
