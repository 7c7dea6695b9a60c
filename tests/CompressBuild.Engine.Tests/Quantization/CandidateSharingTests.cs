using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization;

/// <summary>
/// <c>rounding: auto</c>'s candidates share the prepared model, SmoothQuant's maxima and the histograms per smoothing
/// (<see cref="CandidateSharing"/>) and the float outputs on the check half (<see cref="HeldOutReference"/>): on the real
/// PP-OCRv4 classifier, each shared value equals the one the candidate computes alone, and each candidate's model and
/// score are exactly the unshared ones.
/// </summary>
public sealed class CandidateSharingTests
{
    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void Shared_statistics_equal_per_candidate_ones_and_every_candidate_is_byte_identical_to_its_unshared_quantization()
    {
        using var folder = new TempFolder();
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrClassifier));
        Dataset calibration;
        using (var session = ModelSessions.Open(model))
        {
            calibration = DatasetLoader.Open(OcrInputs.Render(folder.Path, "cls", 8, seed: 7), session.Inputs);
        }

        var fit = calibration.Every(2, 0);
        var check = calibration.Every(2, 1);
        using var referenceSession = ModelSessions.Open(model);
        var reference = new HeldOutReference(referenceSession, check);
        var shared = new CandidateSharing();
        var k = 0;
        foreach (var smooth in new double?[] { null, HeldOutChoice.SmoothCandidate })
        {
            foreach (var rounding in new[] { WeightRounding.Nearest, WeightRounding.Gptq })
            {
                var options = new QuantizationOptions { Rounding = rounding, Smooth = smooth };
                var alone = new CandidateSharing();
                var unshared = ModelQuantizer.Quantize(model, options, fit, alone.Histograms(smooth), alone).Model;
                var sharedModel = ModelQuantizer.Quantize(model, options, fit, shared.Histograms(smooth), shared).Model;

                Assert.Equal(DigitsQuantization.Bytes(unshared, folder.File($"alone{k}.onnx")), DigitsQuantization.Bytes(sharedModel, folder.File($"shared{k}.onnx")));
                AssertSameHistograms(alone.Histograms(smooth), shared.Histograms(smooth));
                Assert.Equal(alone.SmoothingMaxima, shared.SmoothingMaxima);
                using var candidate = ModelSessions.Open(sharedModel);
                Assert.Equal(ModelComparison.Run(referenceSession, candidate, check).Outputs.Min(o => o.Cosine), reference.Score(candidate).Cosine);
                k++;
            }
        }

        // The first candidate prepared the model and the first smoothed one measured the maxima; the others took them.
        Assert.NotNull(shared.SmoothingMaxima);
        Assert.Equal(3 + 1, shared.Reuses);
    }

    private static void AssertSameHistograms(Dictionary<string, ActivationHistogram> expected, Dictionary<string, ActivationHistogram> actual)
    {
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, e) in expected)
        {
            var a = actual[name];
            Assert.Equal((e.Binned, e.Min, e.Max, e.Radius, e.Count, e.Zeros, e.HasNonFinite), (a.Binned, a.Min, a.Max, a.Radius, a.Count, a.Zeros, a.HasNonFinite));
            if (e.Binned)
            {
                Assert.Equal(e.Counts.ToArray(), a.Counts.ToArray());
            }

            Assert.Equal(e.TryMagnitudePercentile(99.999, out var ep) ? ep : float.NaN, a.TryMagnitudePercentile(99.999, out var ap) ? ap : float.NaN);
        }
    }
}
