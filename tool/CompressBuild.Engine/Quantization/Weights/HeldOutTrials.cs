using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>
/// <see cref="HeldOutChoice"/>'s trial quantizations on one split: each candidate quantized on the fit samples and scored on
/// the check samples against the float outputs computed once (<see cref="HeldOutReference"/>). Candidates with the same range
/// method share what their rounding and smoothing do not change (<see cref="CandidateSharing"/>); another range method gets its
/// own sharing, so every candidate's model is the one it gives alone.
/// </summary>
internal sealed class HeldOutTrials
{
    private readonly OnnxModel model;
    private readonly QuantizationOptions options;
    private readonly Dataset fit;
    private readonly HeldOutReference reference;
    private readonly Dictionary<CalibrationMethod, CandidateSharing> sharings = [];

    public HeldOutTrials(OnnxModel model, QuantizationOptions options, Dataset fit, Dataset check)
    {
        (this.model, this.options, this.fit) = (model, options, fit);
        using var session = ModelSessions.Open(model, options.Session);
        reference = new HeldOutReference(session, check);
    }

    /// <summary>The candidate's scores, and whether its smoothing found nothing to rescale (CB4038: the unsmoothed model).</summary>
    /// <param name="calibration">A range method instead of the options' one; null: the options'.</param>
    public (RoundingCandidate Candidate, bool FoundNothing) Score(WeightRounding rounding, double? smooth, CalibrationMethod? calibration)
    {
        Diagnostics.Deadline.ThrowIfExpired();
        var method = calibration ?? options.Calibration;
        if (!sharings.TryGetValue(method, out var sharing))
        {
            sharings[method] = sharing = new CandidateSharing();
        }

        var result = ModelQuantizer.Quantize(model, options with { Rounding = rounding, Smooth = smooth, Calibration = method }, fit, sharing.Histograms(smooth), sharing);
        using var candidate = ModelSessions.Open(result.Model, options.Session);
        var (cosine, agreement) = reference.Score(candidate);
        var foundNothing = smooth is not null && result.Advisories.Any(a => a.Code == Diagnostics.DiagnosticCodes.SmoothingFoundNothing.Id);
        return (new RoundingCandidate(rounding, smooth, cosine) { Agreement = agreement, Calibration = calibration }, foundNothing);
    }
}
