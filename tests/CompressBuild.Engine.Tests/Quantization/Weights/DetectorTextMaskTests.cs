using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Weights;

/// <summary>
/// Where the PP-OCRv4 detector's int8-static (GPTQ) output differs from the float one, on 8 held-out rendered pages (seed 11;
/// 16 others, seed 7, calibrate): its output is a sigmoid text probability map, and the cosine gap to 0.99 sits inside the text,
/// not in the saturated background. Measured: 60% of the squared error in the 11.8% of pixels the float model puts above 0.5,
/// 18% in the background under 0.05; the text mask at PaddleOCR's DB threshold 0.3 has IoU 0.9658 with the float one (nearest 0.9578).
/// </summary>
public sealed class DetectorTextMaskTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder folder = new();

    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Gptq_detector_error_sits_mostly_inside_the_text_and_its_0_3_text_mask_keeps_iou_0_96_with_float()
    {
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrDetector));
        var calibration = OcrInputs.Render(folder.Path, "det", 16, seed: 7, 320, 320);
        var test = OcrInputs.Render(folder.Path, "det", 8, seed: 11, 320, 320);
        var quantized = QuantizationPass.Run(model, new QuantizationRequest(new QuantizationOptions { Rounding = WeightRounding.Gptq }, calibration)).Result.Model;

        var reference = Maps(model, test);
        var candidate = Maps(quantized, test);
        double text = 0, background = 0, total = 0, both = 0, either = 0;
        for (var s = 0; s < reference.Count; s++)
        {
            for (var i = 0; i < reference[s].Length; i++)
            {
                var (r, c) = (reference[s][i], candidate[s][i]);
                var error = (double)(c - r) * (c - r);
                total += error;
                text += r > 0.5f ? error : 0;
                background += r < 0.05f ? error : 0;
                both += r > 0.3f && c > 0.3f ? 1 : 0;
                either += r > 0.3f || c > 0.3f ? 1 : 0;
            }
        }

        var iou = both / either;
        output.WriteLine($"squared error: {text / total:P1} where float > 0.5, {background / total:P1} where float < 0.05; text mask IoU at 0.3: {iou:F4}");
        Assert.True(text / total > 0.5 && background / total < 0.25, $"text share {text / total:P1}, background share {background / total:P1}");
        Assert.True(iou >= 0.96, $"IoU {iou:F4}");
    }

    public void Dispose() => folder.Dispose();

    private static List<float[]> Maps(OnnxModel model, string data)
    {
        using var session = ModelSessions.Open(model);
        var dataset = DatasetLoader.Open(data, session.Inputs);
        var maps = new List<float[]>();
        ActivationCapture.Run(model, [model.Graph.Output[0].Name], dataset, (_, tensors) => maps.Add(tensors[0].AsSpan<float>().ToArray()));
        return maps;
    }
}
