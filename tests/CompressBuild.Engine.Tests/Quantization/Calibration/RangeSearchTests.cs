using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Runtime;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Calibration;

/// <summary>
/// calibration method search on a two-MatMul model whose input carries one calibration outlier (300 in element 0, which the
/// first weight matrix ignores: its row 0 is zero). mse, weighing that one value's clipping error against 127 ordinary
/// values' rounding error, keeps most of it (a step near 1.2 that wipes out the values in [-1, 1]); the 99th percentile clips
/// it. Only the model's output shows that the clipped range is the right one: the search must move the input to it.
/// </summary>
public class RangeSearchTests
{
    private static readonly QuantizationOptions Options = new()
    {
        Mode = QuantizationMode.Int8Static, Calibration = CalibrationMethod.Search, Percentile = 99, LatencyPlacement = false,
    };

    [Fact]
    public void The_input_whose_outlier_the_output_ignores_takes_the_percentile_range_and_the_output_beats_mse_alone()
    {
        var (model, data) = OutlierModel();

        var resolved = RangeSearch.Resolve(model, Options, data, null);
        var searched = Cosine(model, ModelQuantizer.Quantize(model, Options, data).Model, data);
        var mse = Cosine(model, ModelQuantizer.Quantize(model, Options with { Calibration = CalibrationMethod.Mse }, data).Model, data);

        Assert.Equal(CalibrationMethod.Mse, resolved.Calibration);
        Assert.Equal(CalibrationMethod.Percentile, resolved.ActivationCalibration.GetValueOrDefault("x"));
        Assert.True(searched > mse + 0.01, $"search {searched}, mse {mse}");
    }

    [Fact]
    public void Options_that_do_not_ask_for_the_search_are_returned_unchanged()
    {
        var (model, data) = OutlierModel();
        var mse = Options with { Calibration = CalibrationMethod.Mse };

        Assert.Same(mse, RangeSearch.Resolve(model, mse, data, null));
    }

    private static double Cosine(OnnxModel reference, OnnxModel candidate, Dataset data)
    {
        using var expected = ModelSessions.Open(reference, SessionSettings.Default);
        using var actual = ModelSessions.Open(candidate, SessionSettings.Default);
        var comparison = new OutputComparison("y", 0, 0);
        for (var i = 0; i < data.Count; i++)
        {
            comparison.Add(expected.Run(data.Sample(i), ["y"])[0].AsSpan<float>(), actual.Run(data.Sample(i), ["y"])[0].AsSpan<float>());
        }

        return comparison.Result().Cosine;
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
        graph.Initializer.Add(TensorData.FromArray<float>("w2", [8, 4], Matrix(8, 4, false)));
        void MatMul(string name, string input, string weight, string output)
        {
            var node = new NodeProto { OpType = "MatMul", Name = name };
            node.Input.Add(input);
            node.Input.Add(weight);
            node.Output.Add(output);
            graph.Node.Add(node);
        }

        MatMul("m1", "x", "w1", "h");
        MatMul("m2", "h", "w2", "y");
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
