using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using DataType = CompressBuild.Engine.Onnx.Proto.TensorProto.Types.DataType;

namespace CompressBuild.Engine.Tests.Quantization.Dynamic;

public class DynamicLstmTests
{
    private const int Steps = 6;
    private const int InputSize = 5;
    private const int Hidden = 4;

    [Fact]
    public void A_bidirectional_lstm_becomes_DynamicQuantizeLSTM_with_transposed_int8_weights_and_nearly_the_same_outputs()
    {
        var model = TestModels.Empty();
        var random = new Random(3);
        model.Graph.Initializer.Add(Weights("W", random, 2, 4 * Hidden, InputSize));
        model.Graph.Initializer.Add(Weights("R", random, 2, 4 * Hidden, Hidden));
        model.Graph.Initializer.Add(Weights("B", random, 2, 8 * Hidden));
        model.Graph.Node.Add(Lstm("lstm", "W", "R", "B", "bidirectional", ["Y", "Y_h"]));
        model.Graph.Input.Add(TestModels.Tensor("x", DataType.Float, Steps, 1, InputSize));
        model.Graph.Output.Add(TestModels.Tensor("Y", DataType.Float, Steps, 2, 1, Hidden));
        model.Graph.Output.Add(TestModels.Tensor("Y_h", DataType.Float, 2, 1, Hidden));

        var result = ModelQuantizer.Quantize(new OnnxModel(model.Clone(), null), new QuantizationOptions { Mode = QuantizationMode.Int8Dynamic });

        var node = Assert.Single(result.Model.Graph.Node);
        Assert.Equal(("DynamicQuantizeLSTM", "com.microsoft"), (node.OpType, node.Domain));
        var w = result.Model.Graph.Initializer.Single(t => t.Name == node.Input[1]);
        Assert.Equal((int)DataType.Int8, w.DataType);
        Assert.Equal([2L, InputSize, 4 * Hidden], w.Dims);
        Assert.Equal([2L, 4 * Hidden], result.Model.Graph.Initializer.Single(t => t.Name == node.Input[8]).Dims);
        Assert.DoesNotContain(result.Model.Graph.Initializer, t => t.Name is "W" or "R");
        AssertSameOutputs(model, result.Model.Proto, 0.02f);
    }

    [Fact]
    public void Weights_sliced_from_an_outer_graph_inside_both_if_branches_are_folded_into_one_shared_int8_copy()
    {
        var model = BranchedModel();

        var result = ModelQuantizer.Quantize(new OnnxModel(model.Clone(), null), new QuantizationOptions { Mode = QuantizationMode.Int8Dynamic });

        Assert.Equal(2, result.Nodes.Count(n => n.OpType == "LSTM" && n.Quantized));
        var branches = result.Model.Graph.Node.Single().Attribute.Select(a => a.G).ToList();
        Assert.All(branches, b => Assert.Equal(["DynamicQuantizeLSTM"], b.Node.Select(n => n.OpType)));
        Assert.All(branches, b => Assert.DoesNotContain(b.Initializer, t => t.DataType == (int)DataType.Int8));
        Assert.Equal(2, result.Model.Graph.Initializer.Count(t => t.DataType == (int)DataType.Int8 && t.Dims.Count == 3));
        Assert.DoesNotContain(result.Model.Graph.Initializer, t => t.Name is "w_stored" or "r_stored");
        AssertSameOutputs(model, result.Model.Proto, 0.02f, cond: true);
        AssertSameOutputs(model, result.Model.Proto, 0.02f, cond: false);
    }

    /// <summary>An If whose two branches run the same LSTM on W sliced (whole) from an initializer of the main graph, and R read from there directly.</summary>
    private static ModelProto BranchedModel()
    {
        var model = TestModels.Empty();
        var random = new Random(5);
        model.Graph.Initializer.Add(Weights("w_stored", random, 1, 4 * Hidden, InputSize));
        model.Graph.Initializer.Add(Weights("r_stored", random, 1, 4 * Hidden, Hidden));
        model.Graph.Node.Add(new NodeProto
        {
            OpType = "If", Name = "branch", Input = { "cond" }, Output = { "h" },
            Attribute = { Branch("then_branch", "then"), Branch("else_branch", "else") },
        });
        model.Graph.Input.Add(TestModels.Tensor("x", DataType.Float, Steps, 1, InputSize));
        model.Graph.Input.Add(TestModels.Tensor("cond", DataType.Bool));
        model.Graph.Output.Add(TestModels.Tensor("h", DataType.Float, 1, 1, Hidden));
        return model;
    }

    [Fact]
    public void Int8_weight_puts_one_shared_int8_copy_of_the_sliced_weights_behind_a_DequantizeLinear_in_each_branch()
    {
        var model = BranchedModel();

        var result = ModelQuantizer.Quantize(new OnnxModel(model.Clone(), null), new QuantizationOptions { Mode = QuantizationMode.Int8Weight });

        Assert.Equal(2, result.Nodes.Count(n => n.OpType == "LSTM" && n.Quantized));
        var branches = result.Model.Graph.Node.Single().Attribute.Select(a => a.G).ToList();
        Assert.All(branches, b => Assert.Equal(["DequantizeLinear", "DequantizeLinear", "LSTM"], b.Node.Select(n => n.OpType).Order(StringComparer.Ordinal)));
        Assert.Equal(2, result.Model.Graph.Initializer.Count(t => t.DataType == (int)DataType.Int8 && t.Dims.Count == 3));
        Assert.DoesNotContain(result.Model.Graph.Initializer, t => t.Name is "w_stored" or "r_stored");
        AssertSameOutputs(model, result.Model.Proto, 0.02f, cond: false);
    }

    [Fact]
    public void An_lstm_whose_weights_are_computed_from_an_input_stays_float_saying_why()
    {
        var model = TestModels.Empty();
        model.Graph.Initializer.Add(Weights("R", new Random(1), 1, 4 * Hidden, Hidden));
        model.Graph.Node.Add(TestModels.Node("Identity", ["w_in"], ["W"]));
        model.Graph.Node.Add(Lstm("lstm", "W", "R", "", "forward", ["", "Y_h"]));
        model.Graph.Input.Add(TestModels.Tensor("x", DataType.Float, Steps, 1, InputSize));
        model.Graph.Input.Add(TestModels.Tensor("w_in", DataType.Float, 1, 4 * Hidden, InputSize));
        model.Graph.Output.Add(TestModels.Tensor("Y_h", DataType.Float, 1, 1, Hidden));

        var result = ModelQuantizer.Quantize(new OnnxModel(model, null), new QuantizationOptions { Mode = QuantizationMode.Int8Dynamic, Preprocess = false });

        var decision = Assert.Single(result.Nodes, n => n.OpType == "LSTM");
        Assert.False(decision.Quantized);
        Assert.Equal("W it depends on 'w_in', which is computed at run time", decision.Detail);
        Assert.Contains(result.Advisories, a => a.Code == "CB4010" && a.Message.Contains("LSTM 'lstm' stays float", StringComparison.Ordinal));
    }

    [Fact]
    public void A_gru_stays_float_because_onnx_runtime_has_no_dynamic_kernel_for_it()
    {
        var model = TestModels.Empty();
        var random = new Random(2);
        model.Graph.Initializer.Add(Weights("W", random, 1, 3 * Hidden, InputSize));
        model.Graph.Initializer.Add(Weights("R", random, 1, 3 * Hidden, Hidden));
        var gru = TestModels.Node("GRU", ["x", "W", "R"], ["", "Y_h"], "gru");
        NodeAttributes.SetInt(gru, "hidden_size", Hidden);
        model.Graph.Node.Add(gru);
        model.Graph.Input.Add(TestModels.Tensor("x", DataType.Float, Steps, 1, InputSize));
        model.Graph.Output.Add(TestModels.Tensor("Y_h", DataType.Float, 1, 1, Hidden));

        var result = ModelQuantizer.Quantize(new OnnxModel(model, null), new QuantizationOptions { Mode = QuantizationMode.Int8Dynamic });

        var decision = Assert.Single(result.Nodes, n => n.OpType == "GRU");
        Assert.Equal((false, GruQuantizer.NoKernel), (decision.Quantized, decision.Detail));
        Assert.Equal("GRU", Assert.Single(result.Model.Graph.Node).OpType);
    }

    private static AttributeProto Branch(string attribute, string name)
    {
        var body = new GraphProto { Name = name };
        body.Initializer.Add(TensorData.FromArray<long>(name + "_starts", [1], [0]));
        body.Initializer.Add(TensorData.FromArray<long>(name + "_ends", [1], [4 * Hidden]));
        body.Initializer.Add(TensorData.FromArray<long>(name + "_axes", [1], [1]));
        body.Node.Add(TestModels.Node("Slice", ["w_stored", name + "_starts", name + "_ends", name + "_axes"], [name + "_w"]));
        body.Node.Add(Lstm(name + "_lstm", name + "_w", "r_stored", "", "forward", ["", name + "_h"]));
        body.Output.Add(TestModels.Tensor(name + "_h", DataType.Float, 1, 1, Hidden));
        return new AttributeProto { Name = attribute, Type = AttributeProto.Types.AttributeType.Graph, G = body };
    }

    private static NodeProto Lstm(string name, string w, string r, string b, string direction, string[] outputs)
    {
        var node = TestModels.Node("LSTM", b.Length > 0 ? ["x", w, r, b] : ["x", w, r], outputs, name);
        NodeAttributes.SetInt(node, "hidden_size", Hidden);
        node.Attribute.Add(new AttributeProto { Name = "direction", Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8(direction) });
        return node;
    }

    private static TensorProto Weights(string name, Random random, params long[] dims)
    {
        var values = new float[dims.Aggregate(1L, (a, d) => a * d)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() - 0.5);
        }

        return TensorData.FromArray<float>(name, dims, values);
    }

    private static void AssertSameOutputs(ModelProto reference, ModelProto candidate, float tolerance, bool cond = true)
    {
        var random = new Random(11);
        var x = Enumerable.Range(0, Steps * InputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        List<HostTensor> inputs = [HostTensor.FromArray<float>("x", [Steps, 1, InputSize], x)];
        if (reference.Graph.Input.Any(i => i.Name == "cond"))
        {
            inputs.Add(HostTensor.FromArray<bool>("cond", [], [cond]));
        }

        using var expectedSession = ModelSessions.Open(new OnnxModel(reference, null));
        using var actualSession = ModelSessions.Open(new OnnxModel(candidate, null));
        var expected = expectedSession.Run(inputs);
        var actual = actualSession.Run(inputs);
        for (var o = 0; o < expected.Count; o++)
        {
            var pairs = expected[o].AsSpan<float>().ToArray().Zip(actual[o].AsSpan<float>().ToArray());
            Assert.All(pairs, p => Assert.Equal(p.First, p.Second, tolerance));
        }
    }
}
