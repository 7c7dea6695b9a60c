using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Preprocessing;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Fusion;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Fusion;

/// <summary>
/// PaddleOCR's PP-OCRv4 text detector (public, MobileNetV3-style, opset 11: unfolded affine Mul/Add after every
/// Conv, spelled-out hard-swish, SE blocks, Resize, ConvTranspose) on rendered text pages.
/// </summary>
public sealed class DetectorFusionTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder folder = new();

    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Preparation_keeps_the_detector_outputs_and_removes_the_affine_ops()
    {
        var original = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrDetector));
        var converted = ModelPreprocessor.Run(original, PreprocessOptions.Default with { TargetOpset = ModelQuantizer.QdqOpset }).Model;
        var work = new QuantizationWork(new OnnxModel(converted.Proto.Clone(), converted.BaseDirectory, converted.SourcePath), new QuantizationOptions());
        var before = work.Graph.Node.Count;

        FusionPreparation.Apply(work);

        var after = work.Graph.Node.Count;
        output.WriteLine($"{before} -> {after} nodes; {string.Join("; ", work.FusionRewrites)}");
        Assert.Equal(24, work.Graph.Node.Count(n => n.OpType == "HardSwish"));
        Assert.DoesNotContain(work.Graph.Node, n => n.OpType is "Clip" or "Div");
        Assert.Equal(14, work.Model.OpsetVersion(""));
        Assert.True(before - after >= 150, $"only {before - after} nodes removed");
        var metrics = FirstOutput.Compare(original, work.Model, OcrInputs.Render(folder.Path, "det", 2, seed: 11, height: 224, width: 224));
        Assert.True(metrics.Cosine > 0.99999 && metrics.MaxAbsError < 1e-3, $"cosine {metrics.Cosine}, max abs error {metrics.MaxAbsError}");
    }

    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Clipping_the_detector_at_its_saturation_clamps_keeps_its_outputs_in_float()
    {
        var original = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrDetector));
        var converted = ModelPreprocessor.Run(original, PreprocessOptions.Default with { TargetOpset = ModelQuantizer.QdqOpset }).Model;
        var work = new QuantizationWork(new OnnxModel(converted.Proto.Clone(), converted.BaseDirectory, converted.SourcePath), new QuantizationOptions());
        FusionPreparation.Apply(work);
        var prepared = new OnnxModel(work.Proto.Clone(), work.Model.BaseDirectory, work.Model.SourcePath);

        // What the clamp does to a quantized tensor, done in float: Clip each clamped value before its readers.
        var graph = work.Graph;
        var index = GraphIndex.Build(graph);
        var clipped = 0;
        foreach (var value in graph.Node.SelectMany(n => n.Output).ToList())
        {
            var range = SaturationClamp.Apply(new QuantRange(-1e4f, 1e4f), value, index);
            if (range == new QuantRange(-1e4f, 1e4f))
            {
                continue;
            }

            var name = $"{value}_clamped";
            graph.Initializer.Add(TensorData.FromArray<float>(name + "_lo", [], [range.Low]));
            graph.Initializer.Add(TensorData.FromArray<float>(name + "_hi", [], [range.High]));
            foreach (var reader in index.Consumers(value))
            {
                reader.Input[0] = name;
            }

            graph.Node.Insert(graph.Node.IndexOf(index.Producer(value)!) + 1, new NodeProto { OpType = "Clip", Name = name, Input = { value, name + "_lo", name + "_hi" }, Output = { name } });
            clipped++;
        }

        output.WriteLine($"{clipped} values clipped");
        Assert.True(clipped >= 20, $"only {clipped} values clipped");
        var metrics = FirstOutput.Compare(prepared, work.Model, OcrInputs.Render(folder.Path, "det", 2, seed: 11, height: 224, width: 224));
        Assert.True(metrics.Cosine > 0.99999 && metrics.MaxAbsError < 1e-4, $"cosine {metrics.Cosine}, max abs error {metrics.MaxAbsError}");
    }

    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Int8_static_detector_fuses_every_conv_is_over_3_3x_smaller_and_keeps_cosine_over_0_97()
    {
        var path = RealModels.Path(RealModels.PaddleOcrDetector);
        var model = OnnxModelReader.Load(path);
        var calibration = OcrInputs.Render(folder.Path, "det", 8, seed: 7, height: 224, width: 224);

        // ReduceRange false pins u8 activations, which a CPU without VNNI would otherwise swap for s8 (CB4018), and ONNX Runtime fuses
        // fewer s8 Convs (49 of 61 with s8 activations): the fusion checked is the same on every CI machine.
        var pass = QuantizationPass.Run(model, new QuantizationRequest(new QuantizationOptions { Mode = QuantizationMode.Int8Static, ReduceRange = false }, calibration, 0, null, null));

        var fusion = pass.Result.Fusion!;
        output.WriteLine($"Conv fused {fusion.FusedConv}/{fusion.QuantizedConv}; integer: {string.Join(", ", fusion.IntegerKernels.Select(c => $"{c.OpType} {c.Count}"))}; float: " +
            $"{string.Join(", ", fusion.FloatBetweenQdq.Select(c => $"{c.OpType} {c.Count}"))}");
        // 62 Convs; the stem on 3 input channels stays float for speed (latency_placement).
        Assert.Equal(61, fusion.QuantizedConv);
        Assert.True(fusion.ConvFusedShare >= 0.9, $"only {fusion.ConvFusedShare:P0} of the quantized Convs run as QLinearConv");
        Assert.Contains(fusion.IntegerKernels, c => c.OpType == "QLinearAdd");
        Assert.Contains(fusion.IntegerKernels, c => c.OpType == "QLinearMul");
        Assert.Contains(fusion.IntegerKernels, c => c.OpType == "QLinearGlobalAveragePool");
        Assert.DoesNotContain(fusion.FloatBetweenQdq, c => c.OpType == "Conv");

        var saved = folder.File("det-int8.onnx");
        OnnxModelWriter.Save(pass.Result.Model, saved, ModelSaveOptions.Default);
        var ratio = (double)new FileInfo(path).Length / new FileInfo(saved).Length;
        var metrics = FirstOutput.Compare(model, pass.Result.Model, OcrInputs.Render(folder.Path, "det", 4, seed: 11, height: 224, width: 224));
        output.WriteLine($"size ratio {ratio:F2}, cosine {metrics.Cosine:F4}");
        Assert.True(ratio >= 3.3, $"only {ratio:F2}x smaller");
        // 0.953 on these inputs before the ranges of HardSwish/HardSigmoid inputs were clamped at their saturation points.
        Assert.True(metrics.Cosine >= 0.97, $"cosine {metrics.Cosine}");
        Assert.Contains(pass.Result.FusionRewrites, r => r.Contains("clamped at their saturation points", StringComparison.Ordinal));
    }

    public void Dispose() => folder.Dispose();
}
