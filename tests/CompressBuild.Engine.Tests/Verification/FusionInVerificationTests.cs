using System.Text.Json;
using System.Text.Json.Nodes;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Fusion;
using CompressBuild.Engine.Reporting;
using CompressBuild.Engine.Runtime;
using CompressBuild.Engine.Tests.Reporting;
using CompressBuild.Engine.Verification;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Verification;

/// <summary>verify reads ONNX Runtime's optimized graph of the candidate and carries the fusion report in every report form.</summary>
public sealed class FusionInVerificationTests : IDisposable
{
    private readonly TempFolder temp = new();

    private static string Digits(string name) => Path.Combine(RepositoryPaths.Digits, name);

    public void Dispose() => temp.Dispose();

    private static VerificationRequest Request(string candidate) => new(candidate, Digits("cnn_residual.onnx"), Digits("test_x_img.npy"))
    {
        Limit = 16,
        MeasureLatency = false,
    };

    [Fact]
    public void The_verify_json_of_an_int8_static_digits_cnn_carries_the_integer_and_float_counts_of_its_optimized_graph()
    {
        var model = OnnxModelReader.Load(Digits("cnn_residual.onnx"));
        Dataset calibration;
        using (var session = ModelSessions.Open(model))
        {
            calibration = DatasetLoader.Open(Digits("calib_x_img.npy"), session.Inputs).Take(32);
        }

        var quantized = ModelQuantizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Int8Static }, calibration);
        var path = temp.File("cnn_residual.int8.onnx");
        OnnxModelWriter.Save(quantized.Model, path, ModelSaveOptions.Default);

        var result = Verifier.Run(Request(path));
        var json = JsonReport.Build(result);

        // What the engine's own analysis of the quantizer's decisions says ORT made of this graph: verify must report the same kernels.
        var expected = FusionAnalyzer.Analyze(quantized.Model, quantized.Nodes);
        var fusion = json["fusion"]!.AsObject();
        var integer = fusion["integerKernels"]!.AsArray().ToDictionary(c => c!["opType"]!.GetValue<string>(), c => c!["count"]!.GetValue<int>());
        var floats = fusion["floatBetweenQdq"]!.AsArray().ToDictionary(c => c!["opType"]!.GetValue<string>(), c => c!["count"]!.GetValue<int>());
        Assert.True(integer.GetValueOrDefault("QLinearConv") > 0, $"no QLinearConv in {fusion.ToJsonString()}");
        Assert.Equal(expected.IntegerKernels.ToDictionary(c => c.OpType, c => c.Count), integer);
        Assert.Equal(expected.FloatBetweenQdq.ToDictionary(c => c.OpType, c => c.Count), floats);
        Assert.Equal(expected.QuantizedConv, fusion["quantizedConv"]!.GetValue<int>());
        Assert.Equal(expected.FusedConv, fusion["fusedConv"]!.GetValue<int>());
        Assert.Equal(integer.Values.Sum(), fusion["integerTotal"]!.GetValue<int>());

        using var schema = JsonDocument.Parse(JsonReport.Schema);
        using var written = JsonDocument.Parse(json.ToJsonString());
        Assert.Empty(SchemaValidator.Validate(schema.RootElement, written.RootElement));
        Assert.Contains($"| integer | QLinearConv | {integer["QLinearConv"]} |", MarkdownSummary.Render(result), StringComparison.Ordinal);
        Assert.Contains("<h2>Fusion</h2>", HtmlReport.Render(result), StringComparison.Ordinal);
    }

    [Fact]
    public void A_fusion_report_the_quantize_pass_already_read_is_carried_instead_of_read_again()
    {
        var model = OnnxModelReader.Load(Digits("cnn_residual.onnx"));
        var pass = QuantizationPass.Run(model, new QuantizationRequest(new QuantizationOptions(), Digits("calib_x_img.npy"))).Result;
        var path = temp.File("cnn_residual.int8.onnx");
        OnnxModelWriter.Save(pass.Model, path, ModelSaveOptions.Default);

        var result = Verifier.Run(Request(path) with { Fusion = pass.Fusion });

        Assert.NotNull(pass.Fusion);
        Assert.Same(pass.Fusion, result.Fusion);
    }

    [Fact]
    public void A_float_candidate_carries_no_fusion_report()
    {
        var result = Verifier.Run(Request(Digits("cnn_residual.onnx")));

        Assert.Null(result.Fusion);
        Assert.Null(JsonReport.Build(result)["fusion"]);
        Assert.DoesNotContain("Fusion", MarkdownSummary.Render(result), StringComparison.Ordinal);
    }
}
