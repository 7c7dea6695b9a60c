using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Fusion;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization;

/// <summary>
/// The compacted quantized graph (short generated names, equal scale/zero-point constants shared, pre-processing's
/// value_info dropped) against the same run without compaction: ONNX Runtime must compute exactly the same thing.
/// </summary>
public sealed class CompactGraphTests(ITestOutputHelper output) : IDisposable
{
    private static readonly QuantizationMode[] Modes =
        [QuantizationMode.Int8Static, QuantizationMode.Int8Dynamic, QuantizationMode.Int8Weight, QuantizationMode.Int4Weight, QuantizationMode.Fp16];

    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void Every_mode_gives_bit_identical_outputs_on_the_classifier()
    {
        var (model, calibration, evaluation) = Classifier();
        foreach (var mode in Modes)
        {
            var (compact, full) = BothWays(model, new QuantizationOptions { Mode = mode }, mode == QuantizationMode.Int8Static ? calibration : null);

            AssertBitIdentical(full.Model, compact.Model, evaluation, $"ppocr-cls {mode}");
        }
    }

    [Theory]
    [InlineData("cnn_residual.onnx")]
    [InlineData("cnn_concat_dw.onnx")]
    [InlineData("transformer.onnx")]
    [InlineData("mlp_opset11_constants.onnx")]
    public void Every_mode_gives_bit_identical_outputs_on_the_digits_models(string name)
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path(name));
        var image = DigitsQuantization.IsImage(name);
        var calibration = DigitsQuantization.Path(image ? "calib_x_img.npy" : "calib_x_flat.npy");
        foreach (var mode in Modes)
        {
            var (compact, full) = BothWays(model, new QuantizationOptions { Mode = mode }, mode == QuantizationMode.Int8Static ? calibration : null);

            AssertBitIdentical(full.Model, compact.Model, DigitsQuantization.Path(image ? "test_x_img.npy" : "test_x_flat.npy"), $"{name} {mode}");
        }
    }

    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void The_fusion_report_is_the_same_as_with_long_names()
    {
        var (model, calibration, _) = Classifier();
        foreach (var mode in new[] { QuantizationMode.Int8Static, QuantizationMode.Int8Dynamic })
        {
            var (compact, full) = BothWays(model, new QuantizationOptions { Mode = mode }, mode == QuantizationMode.Int8Static ? calibration : null);

            var expected = FusionAnalyzer.Analyze(full.Model, full.Nodes);
            var actual = FusionAnalyzer.Analyze(compact.Model, compact.Nodes);
            output.WriteLine($"{mode}: {expected.IntegerTotal} integer kernels, {expected.FloatTotal} float between Q/DQ, {expected.Unfused.Count} unfused");
            Assert.True(expected.IntegerTotal > 0, $"{mode}: nothing fused");
            Assert.Equal(expected.IntegerKernels, actual.IntegerKernels);
            Assert.Equal(expected.FloatBetweenQdq, actual.FloatBetweenQdq);
            Assert.Equal(expected.Unfused, actual.Unfused);
            Assert.Equal((expected.QuantizedConv, expected.FusedConv), (actual.QuantizedConv, actual.FusedConv));
        }
    }

    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void Generated_names_are_short_unique_and_the_same_on_every_run_and_the_original_names_stay()
    {
        var (model, calibration, _) = Classifier();
        var options = new QuantizationOptions();

        var first = QuantizationPass.Run(model, new QuantizationRequest(options, calibration)).Result;
        var second = QuantizationPass.Run(model, new QuantizationRequest(options, calibration)).Result;

        Assert.Equal(DigitsQuantization.Bytes(first.Model, folder.File("a.onnx")), DigitsQuantization.Bytes(second.Model, folder.File("b.onnx")));
        var graph = first.Model.Graph;
        var original = KeptNames.Of(model.Graph);
        var values = graph.Node.SelectMany(n => n.Output).Concat(graph.Initializer.Select(i => i.Name)).Concat(graph.Input.Select(i => i.Name)).ToList();
        Assert.Equal(values.Count, values.Distinct(StringComparer.Ordinal).Count());
        var nodes = graph.Node.Select(n => n.Name).ToList();
        Assert.Equal(nodes.Count, nodes.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(model.Graph.Input.Select(i => i.Name), graph.Input.Select(i => i.Name));
        Assert.Equal(model.Graph.Output.Select(o => o.Name), graph.Output.Select(o => o.Name));
        // What quantizing added: the values Q/DQ nodes read and write (pre-processing's folded constants keep their names).
        var generated = graph.Node.Where(n => n.OpType is "QuantizeLinear" or "DequantizeLinear").SelectMany(n => n.Input.Concat(n.Output))
            .Where(v => !original.Values.Contains(v)).Distinct(StringComparer.Ordinal).ToList();
        output.WriteLine($"{generated.Count} generated value names, longest '{generated.MaxBy(g => g.Length)}'");
        Assert.True(generated.Count > 200, $"{generated.Count} generated values");
        Assert.All(generated, v => Assert.True(v.Length <= 3, v));
        // Every node a decision names (what reports, CB4015 and exclusions use) is still there under that name.
        var names = nodes.ToHashSet(StringComparer.Ordinal);
        Assert.All(first.Nodes.Where(d => d.Quantized && d.OpType is "Conv" or "Add" or "MatMul"), d => Assert.Contains(d.Node, names));
    }

    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void The_compact_classifier_passes_onnx_checker()
    {
        var (model, calibration, _) = Classifier();
        foreach (var mode in new[] { QuantizationMode.Int8Static, QuantizationMode.Int8Dynamic, QuantizationMode.Int8Weight, QuantizationMode.Fp16 })
        {
            var result = QuantizationPass.Run(model, new QuantizationRequest(new QuantizationOptions { Mode = mode }, mode == QuantizationMode.Int8Static ? calibration : null)).Result;
            var path = folder.File($"cls-{mode}.onnx");
            OnnxModelWriter.Save(result.Model, path, ModelSaveOptions.Default);

            var (exitCode, text) = OnnxChecker.Check(path);

            Assert.True(exitCode == 0, $"{mode}: {text}");
        }
    }

    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void The_int8_static_classifier_is_at_least_17_percent_smaller_than_with_long_names()
    {
        var (model, calibration, _) = Classifier();

        var (compact, full) = BothWays(model, new QuantizationOptions(), calibration);

        var compactBytes = DigitsQuantization.Bytes(compact.Model, folder.File("compact.onnx")).Length;
        var fullBytes = DigitsQuantization.Bytes(full.Model, folder.File("full.onnx")).Length;
        output.WriteLine($"{fullBytes} -> {compactBytes} bytes ({1 - ((double)compactBytes / fullBytes):P1} smaller)");
        // Measured 285067 -> 232886 bytes (18.3%) with 16 calibration samples; the saving is in names and value_info, not data.
        Assert.True(compactBytes <= fullBytes * 0.83, $"{fullBytes} -> {compactBytes} bytes");
    }

    private (OnnxModel Model, string Calibration, string Evaluation) Classifier() =>
        (OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrClassifier)), OcrInputs.Render(folder.Path, "cls", 16, seed: 7, 48, 192),
            OcrInputs.Render(folder.Path, "cls", 8, seed: 11, 48, 192));

    private static (QuantizationResult Compact, QuantizationResult Full) BothWays(OnnxModel model, QuantizationOptions options, string? calibration) =>
        (QuantizationPass.Run(model, new QuantizationRequest(options, calibration)).Result,
            QuantizationPass.Run(model, new QuantizationRequest(options with { CompactGraph = false }, calibration)).Result);

    private void AssertBitIdentical(OnnxModel full, OnnxModel compact, string data, string what)
    {
        using var a = ModelSessions.Open(full);
        using var b = ModelSessions.Open(compact);
        var outputs = ModelComparison.Run(a, b, DatasetLoader.Open(data, a.Inputs)).Outputs;
        output.WriteLine($"{what}: max abs error {string.Join(", ", outputs.Select(o => o.MaxAbsError))}");
        Assert.All(outputs, o => Assert.True(o.MaxAbsError == 0 && o.Mse == 0, $"{what}: {o.Name} max abs error {o.MaxAbsError}"));
    }
}
