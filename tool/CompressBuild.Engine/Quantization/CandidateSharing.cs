using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Preprocessing;

namespace CompressBuild.Engine.Quantization;

/// <summary>
/// What several int8-static quantizations of one model on one calibration set, differing only in weight rounding and
/// smoothing (Weights.HeldOutChoice's candidates), compute alike and can therefore compute once: the prepared model (it
/// depends on the model, the mode, pre-processing and the first sample only), the per-channel activation maxima SmoothQuant
/// measures on it (before any rescaling, so the same for every alpha), and the activation histograms, per smoothing (the
/// rounding does not change the float graph the histograms are gathered on). Every shared value is the one each candidate
/// would have computed itself, so the candidates' models are byte-identical to unshared runs (HeldOutChoiceTests).
/// Only for one model, one set of options apart from rounding and smooth, and one calibration set.
/// </summary>
internal sealed class CandidateSharing
{
    private readonly Dictionary<double, Dictionary<string, Calibration.ActivationHistogram>> histograms = [];

    /// <summary>The prepared model, pre-processing's report and the opset problem, once the first candidate prepared them.</summary>
    public (OnnxModel Model, PreprocessResult? Result, string? OpsetProblem)? Prepared { get; set; }

    /// <summary>SmoothQuant's activation maxima per smoothing site, once measured (null entries: a site without data).</summary>
    public float[]?[]? SmoothingMaxima { get; set; }

    /// <summary>How many times a candidate took a shared value instead of computing it (tests and the profile read it).</summary>
    public int Reuses { get; set; }

    /// <summary>The histograms of the candidates with smoothing <paramref name="smooth"/> (none: null), filled by the first of them.</summary>
    public Dictionary<string, Calibration.ActivationHistogram> Histograms(double? smooth)
    {
        // NaN never comes from options (validated to 0-1), so it stands for "no smoothing".
        var key = smooth ?? double.NaN;
        if (!histograms.TryGetValue(key, out var found))
        {
            histograms[key] = found = new Dictionary<string, Calibration.ActivationHistogram>(StringComparer.Ordinal);
        }

        return found;
    }
}
