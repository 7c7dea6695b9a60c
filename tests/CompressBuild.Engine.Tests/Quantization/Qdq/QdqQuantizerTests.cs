using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Qdq;

public class QdqQuantizerTests(ITestOutputHelper output)
{
    public static TheoryData<string, CalibrationMethod> Cases()
    {
        var data = new TheoryData<string, CalibrationMethod>();
        foreach (var model in new[] { "mlp.onnx", "cnn_residual.onnx", "cnn_concat_dw.onnx" })
        {
            foreach (var method in Enum.GetValues<CalibrationMethod>())
            {
                data.Add(model, method);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Int8_static_keeps_top1_within_one_point_on_the_held_out_set(string model, CalibrationMethod method)
    {
        var result = DigitsQuantization.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Int8Static, Calibration = method });

        var comparison = DigitsQuantization.CompareOnTestSet(model, result.Model);

        var accuracy = comparison.Labelled!.Accuracy!;
        output.WriteLine($"{model} {method}: float {accuracy.ReferenceTop1:P2}, int8 {accuracy.CandidateTop1:P2}, cosine {comparison.Labelled.Cosine:F4}");
        Assert.True(accuracy.Top1Drop <= 0.01, $"top-1 dropped {accuracy.Top1Drop:P2} ({accuracy.ReferenceTop1:P2} -> {accuracy.CandidateTop1:P2})");
        Assert.True(comparison.Labelled.Cosine > 0.99, $"cosine {comparison.Labelled.Cosine}");
        var ops = result.Model.Graph.Node.Select(n => n.OpType).ToList();
        Assert.Contains("QuantizeLinear", ops);
        Assert.Contains("DequantizeLinear", ops);
        // By default (latency_placement) the 1-channel stem Conv stays float for speed; every other Conv and Gemm is int8.
        Assert.All(result.Nodes.Where(n => n.OpType is "Conv" or "Gemm"),
            n => Assert.True(n.Quantized || n.Detail.StartsWith("kept float for speed (latency_placement): a Conv on 1 input", StringComparison.Ordinal), $"{n.Node}: {n.Detail}"));
        Assert.Equal(model.StartsWith("cnn", StringComparison.Ordinal) ? 1 : 0, result.Nodes.Count(n => n.OpType == "Conv" && !n.Quantized));
    }

    [Fact]
    public void Weights_are_int8_per_channel_and_biases_int32()
    {
        var result = DigitsQuantization.Quantize("cnn_residual.onnx", new QuantizationOptions { Mode = QuantizationMode.Int8Static, Calibration = CalibrationMethod.MinMax, LatencyPlacement = false });

        var graph = result.Model.Graph;
        var conv = graph.Node.First(n => n.OpType == "Conv");
        var weightDq = graph.Node.Single(n => n.Output[0] == conv.Input[1]);
        Assert.Equal("DequantizeLinear", weightDq.OpType);
        Assert.Equal(0, weightDq.Attribute.Single(a => a.Name == "axis").I);
        var weight = graph.Initializer.Single(i => i.Name == weightDq.Input[0]);
        Assert.Equal((int)TensorProto.Types.DataType.Int8, weight.DataType);
        var scales = graph.Initializer.Single(i => i.Name == weightDq.Input[1]);
        Assert.Equal(weight.Dims[0], scales.Dims[0]);
        var biasDq = graph.Node.Single(n => n.Output[0] == conv.Input[2]);
        Assert.Equal((int)TensorProto.Types.DataType.Int32, graph.Initializer.Single(i => i.Name == biasDq.Input[0]).DataType);
        var activationDq = graph.Node.Single(n => n.Output[0] == conv.Input[0]);
        Assert.Equal((int)TensorProto.Types.DataType.Uint8, graph.Initializer.Single(i => i.Name == activationDq.Input[2]).DataType);
        // Every Relu follows a quantized Conv or Add, so all of them fold into the u8 output quantization.
        Assert.DoesNotContain(graph.Node, n => n.OpType == "Relu");
    }

    [Theory]
    [InlineData("mlp.onnx")]
    [InlineData("cnn_concat_dw.onnx")]
    public void Output_passes_onnx_checker(string model)
    {
        using var temp = new TempFolder();
        var result = DigitsQuantization.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Int8Static });
        var path = temp.File("q.onnx");
        OnnxModelWriter.Save(result.Model, path, ModelSaveOptions.Default);

        var (exitCode, text) = DigitsQuantization.OnnxCheck(path);

        Assert.True(exitCode == 0, text);
    }

    [Fact]
    public void Weights_in_constant_nodes_at_opset_11_are_promoted_and_the_opset_raised_to_13()
    {
        var result = DigitsQuantization.Quantize("mlp_opset11_constants.onnx", new QuantizationOptions { Mode = QuantizationMode.Int8Static });

        Assert.Equal(11, result.OpsetBefore);
        Assert.Equal(13, result.OpsetAfter);
        Assert.Empty(result.Advisories);
        Assert.DoesNotContain(result.Model.Graph.Node, n => n.OpType == "Constant");
        Assert.Contains(result.Model.Graph.Node, n => n.OpType == "DequantizeLinear" && n.Attribute.Any(a => a.Name == "axis"));
        var accuracy = DigitsQuantization.CompareOnTestSet("mlp_opset11_constants.onnx", result.Model).Labelled!.Accuracy!;
        Assert.True(accuracy.Top1Drop <= 0.01, $"top-1 dropped {accuracy.Top1Drop:P2}");
    }

    [Fact]
    public void A_dropout_at_opset_11_is_converted_to_13_and_the_weights_get_per_channel_scales()
    {
        // Dropout's ratio moved from attribute to input at opset 12; the converter rewrites it, pre-processing removes it.
        var model = WithDropout(OnnxModelReader.Load(DigitsQuantization.Path("mlp_opset11_constants.onnx")), readMask: false);
        var result = ModelQuantizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Int8Static }, DigitsQuantization.Calibration(model, "mlp"));

        Assert.Equal(13, result.OpsetAfter);
        Assert.Equal(1, result.Preprocessing!.DropoutsRemoved);
        Assert.DoesNotContain(result.Advisories, a => a.Code == "CB4011");
        Assert.Contains(result.Model.Graph.Node, n => n.OpType == "DequantizeLinear" && n.Attribute.Any(a => a.Name == "axis"));
        var accuracy = DigitsQuantization.CompareOnTestSet("mlp_opset11_constants.onnx", result.Model).Labelled!.Accuracy!;
        Assert.True(accuracy.Top1Drop <= 0.01, $"top-1 dropped {accuracy.Top1Drop:P2}");
    }

    [Fact]
    public void An_opset_9_model_that_cannot_be_raised_is_left_float_with_an_advisory_naming_the_op()
    {
        // At opset 9 a Dropout's mask has the data's type; at 10 it became bool, so a model that reads it cannot move.
        var model = WithDropout(OnnxModelReader.Load(DigitsQuantization.Path("mlp_opset11_constants.onnx")), readMask: true);
        model.Proto.OpsetImport.First(o => o.Domain.Length == 0).Version = 9;
        var result = ModelQuantizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Int8Static }, DigitsQuantization.Calibration(model, "mlp"));

        Assert.Equal(9, result.OpsetAfter);
        Assert.Contains(result.Advisories, a => a.Code == "CB4011" && a.Message.Contains("Dropout", StringComparison.Ordinal) && a.Message.Contains("mask", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Model.Graph.Node, n => n.OpType == "QuantizeLinear");
    }

    private static OnnxModel WithDropout(OnnxModel model, bool readMask)
    {
        var graph = model.Graph;
        var relu = graph.Node.First(n => n.OpType == "Relu");
        var dropout = new NodeProto { OpType = "Dropout", Name = "drop", Input = { relu.Output[0] }, Output = { "dropped" } };
        dropout.Attribute.Add(new AttributeProto { Name = "ratio", Type = AttributeProto.Types.AttributeType.Float, F = 0.25f });
        foreach (var consumer in graph.Node.Where(n => n.Input.Contains(relu.Output[0])))
        {
            consumer.Input[consumer.Input.IndexOf(relu.Output[0])] = "dropped";
        }

        graph.Node.Insert(graph.Node.IndexOf(relu) + 1, dropout);
        if (readMask)
        {
            dropout.Output.Add("mask");
            graph.Output.Add(new ValueInfoProto { Name = "mask" });
        }

        return model;
    }

    [Fact]
    public void Output_is_byte_identical_across_runs_and_thread_counts()
    {
        using var temp = new TempFolder();
        var one = DigitsQuantization.Quantize("cnn_residual.onnx",
            new QuantizationOptions { Mode = QuantizationMode.Int8Static, Calibration = CalibrationMethod.Entropy, Session = new SessionSettings { IntraOpThreads = 1 } });
        var two = DigitsQuantization.Quantize("cnn_residual.onnx",
            new QuantizationOptions { Mode = QuantizationMode.Int8Static, Calibration = CalibrationMethod.Entropy, Session = new SessionSettings { IntraOpThreads = 2 } });

        Assert.Equal(DigitsQuantization.Bytes(one.Model, temp.File("a.onnx")), DigitsQuantization.Bytes(two.Model, temp.File("b.onnx")));
    }

    [Fact]
    public void Int8_file_is_at_least_3_5x_smaller_when_weights_dominate()
    {
        using var temp = new TempFolder();
        var result = DigitsQuantization.Quantize("mlp.onnx", new QuantizationOptions { Mode = QuantizationMode.Int8Static });

        var before = new FileInfo(DigitsQuantization.Path("mlp.onnx")).Length;
        var after = DigitsQuantization.Bytes(result.Model, temp.File("q.onnx")).Length;

        Assert.True(before >= 3.5 * after, $"{before} -> {after} bytes ({(double)before / after:F2}x)");
    }

    [Fact]
    public void Excluded_and_kept_float_layers_stay_float()
    {
        var result = DigitsQuantization.Quantize("mlp.onnx", new QuantizationOptions { Mode = QuantizationMode.Int8Static, ExcludeNodes = ["/fc2/Gemm"], KeepFloat = KeepFloat.Last });

        Assert.True(result.Nodes.Single(n => n.Node == "/fc1/Gemm").Quantized);
        Assert.Equal("excluded by exclude_nodes", result.Nodes.Single(n => n.Node == "/fc2/Gemm").Detail);
        Assert.Equal("kept float by keep_float", result.Nodes.Single(n => n.Node == "/fc3/Gemm").Detail);
        var fc2 = result.Model.Graph.Node.Single(n => n.Name == "/fc2/Gemm");
        Assert.Equal("fc2.weight", fc2.Input[1]);
        var accuracy = DigitsQuantization.CompareOnTestSet("mlp.onnx", result.Model).Labelled!.Accuracy!;
        Assert.True(accuracy.Top1Drop <= 0.01);
    }

    [Fact]
    public void A_model_with_nothing_to_quantize_comes_back_unchanged_with_an_advisory()
    {
        var model = new OnnxModel(TestModels.AddWeight(4), null);
        var data = new Dataset("memory", 3, i => [HostTensor.FromArray<float>("x", [4], [i, -i, 2 * i, 0.5f])]);

        var result = ModelQuantizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Int8Static }, data);

        Assert.Same(model, result.Model);
        Assert.Contains(result.Advisories, a => a.Code == "CB4012");
    }

    [Fact]
    public void Overridden_types_s8_symmetric_activations_and_u8_asymmetric_weights_still_run_and_stay_accurate()
    {
        var options = new QuantizationOptions
        {
            Mode = QuantizationMode.Int8Static, ActivationType = QuantType.S8, ActivationSymmetric = true, WeightType = QuantType.U8, WeightSymmetric = false,
            LatencyPlacement = false,
        };
        var result = DigitsQuantization.Quantize("cnn_concat_dw.onnx", options);

        var graph = result.Model.Graph;
        var conv = graph.Node.First(n => n.OpType == "Conv");
        var activationDq = graph.Node.Single(n => n.Output[0] == conv.Input[0]);
        var weightDq = graph.Node.Single(n => n.Output[0] == conv.Input[1]);
        Assert.Equal((int)TensorProto.Types.DataType.Int8, graph.Initializer.Single(i => i.Name == activationDq.Input[2]).DataType);
        Assert.Equal((int)TensorProto.Types.DataType.Uint8, graph.Initializer.Single(i => i.Name == weightDq.Input[0]).DataType);
        // Symmetric activations cannot absorb a Relu, so the Relus stay.
        Assert.Contains(graph.Node, n => n.OpType == "Relu");
        var accuracy = DigitsQuantization.CompareOnTestSet("cnn_concat_dw.onnx", result.Model).Labelled!.Accuracy!;
        Assert.True(accuracy.Top1Drop <= 0.01, $"top-1 dropped {accuracy.Top1Drop:P2}");
    }

    [Fact]
    public void Excluded_op_types_stay_float_with_no_quantize_on_their_output()
    {
        var result = DigitsQuantization.Quantize("cnn_residual.onnx", new QuantizationOptions { Mode = QuantizationMode.Int8Static, ExcludeOpTypes = ["Add", "Gemm"] });

        Assert.All(result.Nodes.Where(n => n.OpType is "Add" or "Gemm"), n => Assert.Equal("excluded by exclude_op_types", n.Detail));
        var gemm = result.Model.Graph.Node.Single(n => n.OpType == "Gemm");
        Assert.Equal("fc.weight", gemm.Input[1]);
        // The Convs before an excluded Add still quantize their outputs (so ONNX Runtime fuses them); the Add reads the dequantized values and its own output stays float.
        var readers = result.Model.Graph.Node.SelectMany(n => n.Input.Select(i => (Input: i, Node: n))).ToLookup(p => p.Input, p => p.Node);
        Assert.All(result.Model.Graph.Node.Where(n => n.OpType == "Add"), add => Assert.DoesNotContain(readers[add.Output[0]], r => r.OpType == "QuantizeLinear"));
        var accuracy = DigitsQuantization.CompareOnTestSet("cnn_residual.onnx", result.Model).Labelled!.Accuracy!;
        Assert.True(accuracy.Top1Drop <= 0.01);
    }
}
