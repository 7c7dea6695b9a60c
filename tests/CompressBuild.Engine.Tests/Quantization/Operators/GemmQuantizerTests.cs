using System.Numerics.Tensors;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Google.Protobuf;
using Xunit;
using DataType = CompressBuild.Engine.Onnx.Proto.TensorProto.Types.DataType;

namespace CompressBuild.Engine.Tests.Quantization.Operators;

public class GemmQuantizerTests
{
    private static readonly OperatorQuantizer Gemm = OperatorQuantizers.For("Gemm")!;

    [Fact]
    public void Static_transB_puts_the_per_channel_axis_on_0_and_c_becomes_the_bias_only_at_unit_scales()
    {
        var graph = new OpGraph().Weight("w", 4, 8).Weight("c", 4).Op("Gemm", ["x", "w", "c"], n => NodeAttributes.SetInt(n, "transB", 1));
        var (_, context) = graph.Prepare();

        Assert.Equal(0, Gemm.Weight(graph.Node!, context)!.Axis);
        Assert.Equal(2, Gemm.BiasInput(graph.Node!, context));

        NodeAttributes.SetFloat(graph.Node!, "beta", 0.5f);
        Assert.Equal(-1, Gemm.BiasInput(graph.Node!, context));
    }

    [Fact]
    public void Dynamic_transposes_b_to_k_by_n_and_folds_alpha_into_the_scales_and_beta_c_into_the_bias()
    {
        var graph = new OpGraph().Weight("w", 4, 8).Weight("c", 4)
            .Op("Gemm", ["x", "w", "c"], n => { NodeAttributes.SetInt(n, "transB", 1); NodeAttributes.SetFloat(n, "alpha", 2f); NodeAttributes.SetFloat(n, "beta", 0.5f); });
        var c = graph.Values("c");
        var (editor, context) = graph.Prepare();

        Assert.Null(Gemm.QuantizeDynamic(editor, context, graph.Node!).Reason);

        var node = graph.Single("DynamicQuantizeMatMul");
        Assert.Empty(node.Attribute);
        var weights = graph.Graph.Initializer.Single(t => t.Name == node.Input[1]);
        Assert.Equal([8L, 4L], weights.Dims);
        var scales = graph.Values(node.Input[2]);
        var w = graph.Values("w");
        for (var column = 0; column < 4; column++)
        {
            // Symmetric s8 per column: scale = alpha * max |w| / 127 over the column's 8 weights (row `column` of B).
            var reach = w.Skip(column * 8).Take(8).Max(MathF.Abs);
            Assert.Equal(2f * reach / 127f, scales[column], 1e-6f);
        }

        Assert.Equal(c.Select(v => v * 0.5f), graph.Values(node.Input[4]));
    }

    [Fact]
    public void Dynamic_and_weight_only_refuse_transA_before_looking_at_b()
    {
        var graph = new OpGraph().Op("Gemm", ["x", "computed"], n => NodeAttributes.SetInt(n, "transA", 1));
        var (editor, context) = graph.Prepare();

        Assert.Equal("transA=1 has no DynamicQuantizeMatMul form", Gemm.QuantizeDynamic(editor, context, graph.Node!).Reason);
        Assert.Equal("transA=1 has no MatMulNBits form", Gemm.QuantizeWeightOnly(editor, context, graph.Node!, new WeightOnlySettings(4, 13, null)).Reason);
    }

    [Fact]
    public void Weight_only_keeps_a_transposed_b_as_n_by_k_and_adds_beta_c_after_the_product()
    {
        var graph = new OpGraph().Weight("w", 16, 64).Weight("c", 16)
            .Op("Gemm", ["x", "w", "c"], n => { NodeAttributes.SetInt(n, "transB", 1); NodeAttributes.SetFloat(n, "beta", 3f); });
        var c = graph.Values("c");
        var (editor, context) = graph.Prepare();

        Assert.Null(Gemm.QuantizeWeightOnly(editor, context, graph.Node!, new WeightOnlySettings(8, 13, null)).Reason);
        editor.Finish();

        var nbits = graph.Single("MatMulNBits");
        Assert.Equal((64L, 16L, 8L), (NodeAttributes.Int(nbits, "K", 0), NodeAttributes.Int(nbits, "N", 0), NodeAttributes.Int(nbits, "bits", 0)));
        var add = graph.Single("Add");
        Assert.Equal(nbits.Output[0], add.Input[0]);
        Assert.Equal("y", add.Output[0]);
        Assert.Equal(c.Select(v => v * 3f), graph.Values(add.Input[1]));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_dynamic_and_weight_only_forms_compute_the_float_gemm_on_onnx_runtime(bool dynamic)
    {
        // transB, alpha and beta all away from their defaults: each must land in the scales, the bias or the Add.
        var graph = new OpGraph().Weight("w", 16, 64).Weight("c", 16)
            .Op("Gemm", ["x", "w", "c"], n => { NodeAttributes.SetInt(n, "transB", 1); NodeAttributes.SetFloat(n, "alpha", 0.5f); NodeAttributes.SetFloat(n, "beta", 2f); });
        graph.Graph.Input.Add(TestModels.Tensor("x", DataType.Float, 4, 64));
        graph.Graph.Output.Add(TestModels.Tensor("y", DataType.Float, 4, 16));
        var random = new Random(5);
        var x = Enumerable.Range(0, 4 * 64).Select(_ => (random.NextSingle() * 2) - 1).ToArray();
        var expected = Run(graph.Proto, x);
        var (editor, context) = graph.Prepare(new QuantizationOptions { BlockSize = 32 });

        var result = dynamic
            ? Gemm.QuantizeDynamic(editor, context, graph.Node!)
            : Gemm.QuantizeWeightOnly(editor, context, graph.Node!, new WeightOnlySettings(8, 13, null));
        editor.Finish();
        GraphEditor.EnsureOpset(graph.Proto, GraphEditor.MicrosoftDomain, 1);
        var actual = Run(graph.Proto, x);

        Assert.Null(result.Reason);
        Assert.DoesNotContain(graph.Graph.Node, n => n.OpType == "Gemm");
        Assert.True(TensorPrimitives.CosineSimilarity(expected, actual) > 0.999, $"cosine {TensorPrimitives.CosineSimilarity(expected, actual)}");
        Assert.True(TensorPrimitives.Distance(expected, actual) < 0.05f * TensorPrimitives.Norm(expected));
    }

    private static float[] Run(ModelProto model, float[] x)
    {
        using var session = InferenceSession.Create(model.ToByteArray());
        return session.Run([HostTensor.FromArray<float>("x", [4, 64], x)])[0].AsSpan<float>().ToArray();
    }
}
