using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Calibration;

/// <summary>
/// mse-median on a one-MatMul model whose 16 calibration samples are uniform in [-1, 1] except one, whose 8 values of 64 peak at 20:
/// pooled in one histogram, mse keeps most of that peak (clipping 8 values by ~19 costs more than coarser steps for all 1024);
/// the quarter holding the peaked sample votes wide, the other three narrow, and their median stays near 1.
/// </summary>
public class QuarterMedianRangesTests
{
    [Fact]
    public void One_sample_that_peaks_widens_the_pooled_mse_range_but_not_the_median_of_the_quarters()
    {
        var (model, data) = PeakModel(peaked: 5);

        var median = QuarterMedianRanges.Collect(model, ["x"], data, SessionSettings.Default)["x"];
        var pooled = new MseCalibrator().Range(CalibrationCollector.Collect(model, ["x"], data, SessionSettings.Default)["x"]);

        Assert.True(pooled.High > 10, $"pooled mse {pooled}");
        Assert.InRange(median.High, 0.8f, 1.05f);
        Assert.InRange(median.Low, -1.05f, -0.8f);
    }

    [Fact]
    public void Int8_static_with_mse_median_quantizes_the_input_on_the_median_range()
    {
        var (model, data) = PeakModel(peaked: 5);
        var options = new QuantizationOptions { Calibration = CalibrationMethod.MseMedian, Rounding = Engine.Quantization.Weights.WeightRounding.Nearest, LatencyPlacement = false };

        var quantized = ModelQuantizer.Quantize(model, options, data).Model;
        var mse = ModelQuantizer.Quantize(model, options with { Calibration = CalibrationMethod.Mse }, data).Model;

        Assert.InRange(InputScale(quantized), 1.6 / 255, 2.1 / 255);
        Assert.True(InputScale(mse) > 10.0 / 255, $"mse scale {InputScale(mse)}");
    }

    private static double InputScale(OnnxModel model)
    {
        var quantize = model.Graph.Node.Single(n => n.OpType == "QuantizeLinear" && n.Input[0] == "x");
        return TensorData.ToSingles(model.Graph.Initializer.Single(i => i.Name == quantize.Input[1]), model)[0];
    }

    private static (OnnxModel Model, Dataset Data) PeakModel(int peaked)
    {
        var random = new Random(3);
        var proto = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "peak" } };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        var graph = proto.Graph;
        graph.Initializer.Add(TensorData.FromArray<float>("w", [64, 4], Enumerable.Range(0, 256).Select(_ => (random.NextSingle() * 2) - 1).ToArray()));
        var node = new NodeProto { OpType = "MatMul", Name = "m" };
        node.Input.Add("x");
        node.Input.Add("w");
        node.Output.Add("y");
        graph.Node.Add(node);
        graph.Input.Add(TestModels.Tensor("x", TensorProto.Types.DataType.Float, 1, 64));
        graph.Output.Add(TestModels.Tensor("y", TensorProto.Types.DataType.Float, 1, 4));
        var samples = Enumerable.Range(0, 16).Select(i =>
        {
            var values = Enumerable.Range(0, 64).Select(_ => (random.NextSingle() * 2) - 1).ToArray();
            if (i == peaked)
            {
                Array.Fill(values, 20f, 0, 8);
            }

            return values;
        }).ToList();
        return (new OnnxModel(proto, null), new Dataset("memory", samples.Count, i => [HostTensor.FromArray<float>("x", [1, 64], samples[i])]));
    }
}
