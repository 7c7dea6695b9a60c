using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Tests.Quantization;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Onnx;

/// <summary>exclude_nodes / exclude_op_types: one behaviour and one code (CB2044) for every pruning method and quantize mode.</summary>
public class NodeExclusionsTests
{
    public static TheoryData<string> Passes => ["magnitude", "nm", "block", "channel", "int8-dynamic", "int8-static", "fp16", "int4-weight", "int8-weight"];

    [Theory]
    [MemberData(nameof(Passes))]
    public void A_misspelt_node_name_is_CB2044_with_the_closest_name_in_every_pass(string pass)
    {
        var e = Assert.Throws<CompressBuildException>(() => Run(pass, nodes: ["/fc2/Gemmm"]));

        Assert.Equal("CB2044", e.Code.Id);
        Assert.Contains("exclude_nodes names '/fc2/Gemmm'", e.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean '/fc2/Gemm'?", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("mlp.onnx", e.File, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Passes))]
    public void A_misspelt_op_type_is_CB2044_with_the_closest_op_type_in_every_pass(string pass)
    {
        var e = Assert.Throws<CompressBuildException>(() => Run(pass, opTypes: ["Gem"]));

        Assert.Equal("CB2044", e.Code.Id);
        Assert.Contains("exclude_op_types names 'Gem'", e.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'Gemm'?", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Passes))]
    public void A_node_named_by_its_first_output_is_left_alone_in_every_pass(string pass)
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("mlp.onnx"));
        var fc2 = model.Graph.Node.Single(n => n.Name == "/fc2/Gemm");
        var before = model.Graph.Initializer.Single(t => t.Name == fc2.Input[1]).Clone();

        var candidate = Run(pass, nodes: [fc2.Output[0]]);

        // The excluded Gemm still reads its original float weight, bit for bit.
        var node = candidate.Graph.Node.Single(n => n.Output.Contains(fc2.Output[0]));
        Assert.Equal("Gemm", node.OpType);
        Assert.Equal(before, candidate.Graph.Initializer.Single(t => t.Name == node.Input[1]));
    }

    [Fact]
    public void Excluding_a_weighted_op_type_the_model_lacks_is_accepted()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("mlp.onnx"));
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "Conv");

        var exclusions = NodeExclusions.Create([], ["Conv"], model.Graph.Node, "mlp.onnx");

        Assert.All(model.Graph.Node, n => Assert.False(exclusions.Contains(n)));
    }

    [Fact]
    public void An_unnamed_node_is_not_matched_by_an_empty_name_and_reports_which_list_matched()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("mlp.onnx"));
        var fc1 = model.Graph.Node.Single(n => n.Name == "/fc1/Gemm");
        fc1.Name = "";

        var exclusions = NodeExclusions.Create([fc1.Output[0]], ["Relu"], model.Graph.Node, "mlp.onnx");

        Assert.Equal("excluded by exclude_nodes", exclusions.Because(fc1));
        Assert.All(model.Graph.Node.Where(n => n.OpType == "Relu"), n => Assert.Equal("excluded by exclude_op_types", exclusions.Because(n)));
        Assert.Null(exclusions.Because(model.Graph.Node.Single(n => n.Name == "/fc2/Gemm")));
    }

    [RealModelFact(RealModels.SileroVad)]
    public void A_node_inside_an_If_branch_is_known_to_pruning_and_left_float_by_quantization()
    {
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.SileroVad));
        var inner = GraphNodes.All(model.Graph).Except(model.Graph.Node).First(n => n.OpType == "Conv" && n.Name.Length > 0);

        var quantized = ModelQuantizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Int8Dynamic, ExcludeNodes = [inner.Name] });
        var pruning = Record.Exception(() => ModelPruner.Run(model, new PruneSettings { Sparsity = 0.5, ExcludeNodes = [inner.Name] }));

        var decision = Assert.Single(quantized.Nodes, n => n.Node == inner.Name);
        Assert.False(decision.Quantized);
        Assert.Equal("excluded by exclude_nodes", decision.Detail);
        Assert.Contains(quantized.Nodes, n => n.OpType == "Conv" && n.Quantized);
        Assert.Null(pruning);
    }

    private static OnnxModel Run(string pass, IReadOnlyList<string>? nodes = null, IReadOnlyList<string>? opTypes = null)
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("mlp.onnx"));
        if (Enum.TryParse<PruneMethod>(pass, ignoreCase: true, out var method))
        {
            return ModelPruner.Run(model, new PruneSettings { Method = method, ExcludeNodes = nodes ?? [], ExcludeOpTypes = opTypes ?? [] }).Model;
        }

        var mode = Enum.GetValues<QuantizationMode>().Single(m => ModelQuantizer.ModeName(m) == pass);
        var options = new QuantizationOptions { Mode = mode, ExcludeNodes = nodes ?? [], ExcludeOpTypes = opTypes ?? [] };
        return ModelQuantizer.Quantize(model, options, mode == QuantizationMode.Int8Static ? DigitsQuantization.Calibration(model, "mlp.onnx") : null).Model;
    }
}
