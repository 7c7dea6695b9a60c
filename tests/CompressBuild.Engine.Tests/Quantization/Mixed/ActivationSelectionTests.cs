using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Mixed;
using CompressBuild.Engine.Runtime;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Mixed;

/// <summary>
/// mixed_units activations on a three-MatMul model whose input carries one calibration outlier (300 in element 0, which
/// the first weight matrix ignores: its row 0 is zero): min-max calibration then gives the input a step of about 1.2,
/// which wipes out its ordinary values in [-1, 1], while every other activation keeps a fine grid. That input's Q/DQ
/// pair is the one that costs the output cosine; the selection must find it and leave only it float, weights int8.
/// </summary>
public class ActivationSelectionTests
{
    private static readonly QuantizationOptions Options = new()
    {
        Mode = QuantizationMode.Int8Static, Calibration = CalibrationMethod.MinMax, LatencyPlacement = false, MixedUnits = MixedPrecisionUnit.Activations,
    };

    [Fact]
    public void The_pair_that_costs_most_alone_ranks_first_and_is_the_one_left_float_while_every_weight_stays_int8()
    {
        var (model, data) = OutlierModel();
        var plain = MixedPrecision.Run(model, Options with { MixedUnits = MixedPrecisionUnit.Layers }, data, null, 0);

        var result = MixedPrecision.Run(model, Options, data, null, 1);

        Assert.Equal(["h1", "h2", "x"], result.Activations.Select(a => a.Tensor).Order(StringComparer.Ordinal));
        Assert.Equal("x", result.Activations[0].Tensor);
        Assert.True(result.Activations[0].Gain > 10 * Math.Max(1e-6, result.Activations[1].Gain), string.Join(", ", result.Activations));
        Assert.Equal(["x"], result.Activations.Where(a => a.KeptFloat).Select(a => a.Tensor));
        var graph = result.Quantization.Model.Graph;
        Assert.DoesNotContain(graph.Node, n => n.OpType == "QuantizeLinear" && n.Input[0] == "x");
        Assert.Equal(2, graph.Node.Count(n => n.OpType == "QuantizeLinear"));
        var int8 = graph.Initializer.Where(i => i.DataType == (int)TensorProto.Types.DataType.Int8 && i.Dims.Count == 2).ToList();
        Assert.Equal(3, int8.Count);
        Assert.DoesNotContain(graph.Initializer, i => i.DataType == (int)TensorProto.Types.DataType.Float && i.Dims.Count == 2);
        Assert.True(result.Cosine > plain.Cosine + 0.01, $"{result.Cosine} against {plain.Cosine} with every pair int8");
        Assert.Contains(result.Quantization.Advisories, a => a.Code == "CB4036");
    }

    [Fact]
    public void A_target_the_dominant_pair_reaches_leaves_no_layer_float()
    {
        var (model, data) = OutlierModel();

        var result = MixedPrecision.Run(model, Options, data, 0.999, null);

        Assert.True(result.TargetMet, $"cosine {result.Cosine}");
        Assert.True(result.Cosine >= 0.999);
        Assert.Contains(result.Activations, a => a.Tensor == "x" && a.KeptFloat);
        Assert.Empty(result.Layers);
        Assert.Equal(3, result.Quantization.Nodes.Count(n => n.OpType == "MatMul" && n.Quantized));
    }

    private static (OnnxModel Model, Dataset Data) OutlierModel()
    {
        var random = new Random(5);
        float[] Matrix(int rows, int columns, bool zeroFirstRow) =>
            Enumerable.Range(0, rows * columns).Select(i => zeroFirstRow && i < columns ? 0f : (random.NextSingle() * 2) - 1).ToArray();
        var proto = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "outlier" } };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        var graph = proto.Graph;
        graph.Initializer.Add(TensorData.FromArray<float>("w1", [8, 8], Matrix(8, 8, true)));
        graph.Initializer.Add(TensorData.FromArray<float>("w2", [8, 8], Matrix(8, 8, false)));
        graph.Initializer.Add(TensorData.FromArray<float>("w3", [8, 4], Matrix(8, 4, false)));
        void MatMul(string name, string input, string weight, string output)
        {
            var node = new NodeProto { OpType = "MatMul", Name = name };
            node.Input.Add(input);
            node.Input.Add(weight);
            node.Output.Add(output);
            graph.Node.Add(node);
        }

        MatMul("m1", "x", "w1", "h1");
        MatMul("m2", "h1", "w2", "h2");
        MatMul("m3", "h2", "w3", "y");
        graph.Input.Add(Value("x", 8));
        graph.Output.Add(Value("y", 4));
        var samples = Enumerable.Range(0, 16).Select(i =>
        {
            var values = Enumerable.Range(0, 8).Select(_ => (random.NextSingle() * 2) - 1).ToArray();
            values[0] = i == 0 ? 300 : values[0];
            return values;
        }).ToList();
        return (new OnnxModel(proto, null), new Dataset("memory", samples.Count, i => [HostTensor.FromArray<float>("x", [1, 8], samples[i])]));
    }

    private static ValueInfoProto Value(string name, long width)
    {
        var value = new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } };
        value.Type.TensorType.Shape = new TensorShapeProto();
        value.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 1 });
        value.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return value;
    }
}
