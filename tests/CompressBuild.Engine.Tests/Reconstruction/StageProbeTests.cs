using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Reconstruction;
using CompressBuild.Engine.Runtime;
using CompressBuild.Engine.Tests.Pruning;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

/// <summary>
/// A stage whose cut graph starts from the previous stage's spill and reads no graph input is not fed the sample, so the samples are read
/// only by the stages that run the model's first nodes: the first, and the second, which re-runs the first stage's solved layers.
/// </summary>
public class StageProbeTests
{
    [Fact]
    public void Only_the_first_two_stages_read_the_samples_on_the_digits_cnn()
    {
        var model = PruningFixtures.Load("cnn_residual.onnx");
        using var session = ModelSessions.Open(model);
        var data = DatasetLoader.Open(PruningFixtures.CalibrationData("cnn_residual.onnx"), session.Inputs).Take(8);
        AssertSamplesRead(model, data, passes: 4);
    }

    /// <summary>
    /// A model made for IR version 3 lists every initializer as a graph input too: its later stages still read no sample (a cut kept every
    /// such input, and its weight, whether a kept node read it or not).
    /// </summary>
    [Fact]
    public void Only_the_first_two_stages_read_the_samples_where_the_initializers_are_graph_inputs_too()
    {
        var model = PruningFixtures.Load("cnn_residual.onnx");
        foreach (var weight in model.Graph.Initializer)
        {
            var shape = new TensorShapeProto();
            shape.Dim.Add(weight.Dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
            model.Graph.Input.Add(new ValueInfoProto { Name = weight.Name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = weight.DataType, Shape = shape } } });
        }

        using var session = ModelSessions.Open(model);
        var data = DatasetLoader.Open(PruningFixtures.CalibrationData("cnn_residual.onnx"), session.Inputs).Take(8);
        Assert.Single(session.Inputs);
        AssertSamplesRead(model, data, passes: 4);
    }

    [RealModelFact(RealModels.PaddleOcrRecognizer)]
    public void Only_the_first_two_stages_read_the_samples_on_the_recognizer()
    {
        using var temp = new TempFolder();
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrRecognizer));
        ConstantPromotion.Promote(model.Graph);
        using var session = ModelSessions.Open(model);
        var data = DatasetLoader.Open(OcrInputs.Render(temp.Path, "rec", 2, seed: 7), session.Inputs);
        AssertSamplesRead(model, data, passes: 12);
    }

    private static void AssertSamplesRead(OnnxModel model, Dataset data, int passes)
    {
        var reads = 0;
        var counted = new Dataset(data.Source, data.Count, i =>
        {
            Interlocked.Increment(ref reads);
            return data.Sample(i);
        });
        var solved = 0;
        var layers = FloatWeightLayers.Of(model);
        Assert.True(layers.Count >= passes, $"{layers.Count} layers cannot fill {passes} stages");
        var timing = LayerwiseReconstruction.Run(model, layers, counted, (_, statistics) => solved += statistics.Gram[0].Rows > 0 ? 1 : 0,
            passes: passes, memoryBudget: long.MaxValue, rowsPerColumn: 0);
        Assert.Equal(passes, timing.Passes);
        Assert.Equal(passes - 1, timing.Restarts);
        Assert.Equal(timing.Layers, solved);
        Assert.Equal(2 * data.Count, reads);
    }
}
