using System.Globalization;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Smoothing;
using CompressBuild.Engine.Runtime;
using CompressBuild.Engine.Tests.Evaluation;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Smoothing;

/// <summary>SmoothQuant on a small hand-built transformer-style graph with outlier channels: what it smooths, what it leaves, and that the float function stays.</summary>
public sealed class SmoothQuantTests(ITestOutputHelper output) : IDisposable
{
    private const int Width = 16;
    private readonly TempFolder folder = new();

    [Fact]
    public void Smoothing_keeps_the_float_outputs_and_narrows_the_outlier_channels()
    {
        var model = new OnnxModel(Model(), folder.Path, null);
        var original = new OnnxModel(model.Proto.Clone(), folder.Path, null);
        var data = Data();
        using (var session = ModelSessions.Open(model))
        {
            var smoothed = SmoothQuant.Apply(model, DatasetLoader.Open(data, session.Inputs), 0.5, SessionSettings.Default);
            foreach (var t in smoothed)
            {
                output.WriteLine($"{t.Tensor}: {t.ProducerOpType} {t.Producer} -> {string.Join("/", t.Consumers)}, max {t.MaxBefore} -> {t.MaxAfter}");
            }

            // The decomposed LayerNorm's Mul/Add, the LayerNormalization node, and the MatMul + bias behind a Relu; not the Sigmoid's output.
            Assert.Equal(["ln", "relu", "ln2"], smoothed.Select(t => t.Tensor));
            Assert.Equal(["Mul", "MatMul", "LayerNormalization"], smoothed.Select(t => t.ProducerOpType));
            Assert.All(smoothed, t => Assert.True(t.MaxAfter < t.MaxBefore / 2, $"{t.Tensor}: max {t.MaxBefore} -> {t.MaxAfter}"));
        }

        Assert.Equal(original.Graph.Node.Count, model.Graph.Node.Count);
        using var a = ModelSessions.Open(original);
        using var b = ModelSessions.Open(model);
        var metrics = ModelComparison.Run(a, b, DatasetLoader.Open(data, a.Inputs)).Outputs;
        Assert.Equal(2, metrics.Count);
        Assert.All(metrics, m => Assert.True(m.MaxAbsError < 1e-4 && m.Cosine > 0.999999, $"max abs error {m.MaxAbsError}, cosine {m.Cosine}"));
    }

    [Fact]
    public void Int8_static_with_smooth_on_a_sigmoid_fed_matmul_warns_CB4038_and_still_quantizes()
    {
        var model = TestModels.Empty(13);
        model.Graph.Initializer.Add(TensorData.FromArray<float>("w", [Width, 8], [.. Enumerable.Range(0, Width * 8).Select(i => ((i % 7) - 3) * 0.1f)]));
        model.Graph.Node.Add(TestModels.Node("Sigmoid", ["x"], ["gate"]));
        model.Graph.Node.Add(TestModels.Node("MatMul", ["gate", "w"], ["y"]));
        model.Graph.Input.Add(TestModels.Tensor("x", TensorProto.Types.DataType.Float, "n", 5, Width));
        model.Graph.Output.Add(TestModels.Tensor("y", TensorProto.Types.DataType.Float, "n", 5, 8));
        var onnx = new OnnxModel(model, folder.Path, null);
        Dataset data;
        using (var session = ModelSessions.Open(onnx))
        {
            data = DatasetLoader.Open(Data(), session.Inputs);
        }

        var result = ModelQuantizer.Quantize(onnx, new QuantizationOptions { Smooth = 0.5 }, data);

        Assert.Contains(result.Advisories, a => a.Code == DiagnosticCodes.SmoothingFoundNothing.Id && a.Message.Contains("smooth 0.5 found no tensor", StringComparison.Ordinal));
        Assert.Contains(result.Nodes, n => n.Quantized);
        Assert.DoesNotContain(result.FusionRewrites, r => r.Contains("smoothed", StringComparison.Ordinal));
    }

    [Fact]
    public void Smooth_outside_0_to_1_is_CB2021()
    {
        var onnx = new OnnxModel(Model(), folder.Path, null);
        Dataset data;
        using (var session = ModelSessions.Open(onnx))
        {
            data = DatasetLoader.Open(Data(), session.Inputs);
        }

        var error = Assert.Throws<CompressBuildException>(() => ModelQuantizer.Quantize(onnx, new QuantizationOptions { Smooth = 1.5 }, data));

        Assert.Equal(DiagnosticCodes.QuantizationOptionInvalid, error.Code);
    }

    [Fact]
    public void Scales_follow_alpha_and_leave_dead_channels_alone()
    {
        var s = SmoothQuant.Scales([16f, 1f, 0f, 4f], [1f, 4f, 2f, 0f], 0.5);

        Assert.Equal([4f, 0.5f, 1f, 1f], s);
        Assert.Equal([16f, 1f], SmoothQuant.Scales([16f, 1f], [0.25f, 9f], 1.0));
    }

    /// <summary>
    /// x [6, 5, 16] -> decomposed LayerNorm (ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add, as opset-9 exports spell it; its
    /// output also read by Shape) -> MatMul + bias -> Relu -> MatMul = y1; x -> LayerNormalization -> MatMul -> Sigmoid -> MatMul = y2.
    /// The LayerNorm gains put channel 3 at 20x the others, the activation outlier SmoothQuant is for.
    /// </summary>
    private static ModelProto Model()
    {
        var model = TestModels.Empty(17);
        var g = model.Graph;
        var random = new Random(5);
        float[] Values(int n, float scale) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale)];
        void Constant(string name, long[] dims, float[] values) => g.Initializer.Add(TensorData.FromArray<float>(name, dims, values));
        var gamma = Values(Width, 1f).Select((v, i) => i == 3 ? 20f : 1f + (v / 2)).ToArray();
        Constant("gamma", [Width], gamma);
        Constant("beta", [Width], Values(Width, 0.5f));
        Constant("gamma2", [Width], gamma.Reverse().ToArray());
        Constant("beta2", [Width], Values(Width, 0.5f));
        Constant("two", [], [2f]);
        Constant("eps", [], [1e-5f]);
        Constant("w1", [Width, 12], Values(Width * 12, 0.3f));
        Constant("b1", [12], Values(12, 0.1f).Select((v, i) => i == 7 ? 6f : v).ToArray());
        Constant("w3", [12, 8], Values(12 * 8, 0.3f));
        Constant("w2", [Width, 12], Values(Width * 12, 0.3f));
        Constant("w4", [12, 8], Values(12 * 8, 0.3f));
        NodeProto Reduce(string input, string outputName)
        {
            var node = TestModels.Node("ReduceMean", [input], [outputName]);
            node.Attribute.Add(new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { -1 } });
            return node;
        }

        g.Node.Add(Reduce("x", "mean"));
        g.Node.Add(TestModels.Node("Sub", ["x", "mean"], ["centered"]));
        g.Node.Add(TestModels.Node("Pow", ["centered", "two"], ["squared"]));
        g.Node.Add(Reduce("squared", "variance"));
        g.Node.Add(TestModels.Node("Add", ["variance", "eps"], ["shifted"]));
        g.Node.Add(TestModels.Node("Sqrt", ["shifted"], ["deviation"]));
        g.Node.Add(TestModels.Node("Div", ["centered", "deviation"], ["normalized"]));
        g.Node.Add(TestModels.Node("Mul", ["normalized", "gamma"], ["scaled"]));
        g.Node.Add(TestModels.Node("Add", ["scaled", "beta"], ["ln"]));
        g.Node.Add(TestModels.Node("Shape", ["ln"], ["ln_shape"]));
        g.Node.Add(TestModels.Node("MatMul", ["ln", "w1"], ["h"]));
        g.Node.Add(TestModels.Node("Add", ["h", "b1"], ["hb"]));
        g.Node.Add(TestModels.Node("Relu", ["hb"], ["relu"]));
        g.Node.Add(TestModels.Node("MatMul", ["relu", "w3"], ["y1"]));
        var layerNorm = TestModels.Node("LayerNormalization", ["x", "gamma2", "beta2"], ["ln2"]);
        layerNorm.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = -1 });
        g.Node.Add(layerNorm);
        g.Node.Add(TestModels.Node("MatMul", ["ln2", "w2"], ["q"]));
        g.Node.Add(TestModels.Node("Sigmoid", ["q"], ["gate"]));
        g.Node.Add(TestModels.Node("MatMul", ["gate", "w4"], ["y2"]));
        g.Input.Add(TestModels.Tensor("x", TensorProto.Types.DataType.Float, "n", 5, Width));
        g.Output.Add(TestModels.Tensor("y1", TensorProto.Types.DataType.Float, "n", 5, 8));
        g.Output.Add(TestModels.Tensor("y2", TensorProto.Types.DataType.Float, "n", 5, 8));
        return model;
    }

    private string Data()
    {
        var random = new Random(11);
        var values = Enumerable.Range(0, 6 * 5 * Width).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        var path = folder.File("x.npy");
        File.WriteAllBytes(path, NpyBytes.Create("<f4", string.Create(CultureInfo.InvariantCulture, $"(6, 5, {Width})"), bytes));
        return path;
    }

    public void Dispose() => folder.Dispose();
}
