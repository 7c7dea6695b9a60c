using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Reconstruction;

/// <summary>
/// GPTQ on a real model: the PP-OCRv4 recognizer (CNN + SVTR, opset 9, Constant-node weights) quantized int4-weight,
/// its MatMuls to MatMulNBits blocks and its Convs to int4 per output channel, calibrated on rendered text lines
/// (tests/models/ocr_inputs.py rec) and checked on other lines.
/// </summary>
public class RecognizerGptqTests(ITestOutputHelper output)
{
    [RealModelFact(RealModels.PaddleOcrRecognizer)]
    public void Gptq_raises_the_recognizer_output_sqnr_at_least_3_dB_over_round_to_nearest_at_block_size_32()
    {
        using var temp = new TempFolder();
        // 8 lines keep the test within a minute of CPU; 32 give the same SQNR (11.18 dB) on the check lines.
        var calibrationPath = OcrInputs.Render(temp.Path, "rec", 8, seed: 7);
        var test = OcrInputs.Render(temp.Path, "rec", 8, seed: 11);
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrRecognizer));
        Dataset calibration;
        using (var session = ModelSessions.Open(model))
        {
            calibration = DatasetLoader.Open(calibrationPath, session.Inputs);
        }

        var options = new QuantizationOptions { Mode = QuantizationMode.Int4Weight, BlockSize = 32 };
        var nearest = ModelQuantizer.Quantize(model, options);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var gptq = ModelQuantizer.Quantize(model, options, calibration);
        var elapsed = clock.Elapsed;

        var rtn = FirstOutput.Compare(model, nearest.Model, test);
        var solved = FirstOutput.Compare(model, gptq.Model, test);
        output.WriteLine($"ppocr-rec int4-weight block 32: SQNR round-to-nearest {rtn.SqnrDb:F2} dB (cosine {rtn.Cosine:F4}), GPTQ {solved.SqnrDb:F2} dB "
            + $"(cosine {solved.Cosine:F4}); GPTQ pass {elapsed.TotalSeconds:F1} s");
        Assert.Equal(nearest.QuantizedCount, gptq.QuantizedCount);
        Assert.Contains(gptq.Nodes, d => d.Quantized && d.OpType == "Conv" && d.Detail.Contains("GPTQ", StringComparison.Ordinal));
        Assert.True(solved.SqnrDb >= rtn.SqnrDb + 3, $"round-to-nearest {rtn.SqnrDb:F2} dB, GPTQ {solved.SqnrDb:F2} dB");
    }
}
