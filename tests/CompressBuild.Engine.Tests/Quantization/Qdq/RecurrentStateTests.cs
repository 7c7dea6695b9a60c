using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Qdq;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using DataType = CompressBuild.Engine.Onnx.Proto.TensorProto.Types.DataType;

namespace CompressBuild.Engine.Tests.Quantization.Qdq;

/// <summary>int8-static keeps recurrent state float: what <see cref="RecurrentState"/> counts as state, and what the quantizer does with it.</summary>
public sealed class RecurrentStateTests
{
    private const int Steps = 3;
    private const int Width = 8;
    private const int Hidden = 4;

    /// <summary>
    /// x -> MatMul -> LSTM; its Y_h and Y_c are unsqueezed and concatenated into the returned state (a model output, as Silero VAD
    /// returns its state), while its Y sequence goes through a Squeeze into a second MatMul.
    /// </summary>
    private static ModelProto LstmModel()
    {
        var model = TestModels.Empty();
        var random = new Random(4);
        model.Graph.Initializer.Add(Weights("w_in", random, Width, Width));
        model.Graph.Initializer.Add(Weights("W", random, 1, 4 * Hidden, Width));
        model.Graph.Initializer.Add(Weights("R", random, 1, 4 * Hidden, Hidden));
        model.Graph.Initializer.Add(Weights("w_out", random, Hidden, 2));
        model.Graph.Initializer.Add(TensorData.FromArray<long>("axis0", [1], [0]));
        model.Graph.Initializer.Add(TensorData.FromArray<long>("axis1", [1], [1]));
        model.Graph.Node.Add(TestModels.Node("MatMul", ["x", "w_in"], ["features"], "mm_in"));
        var lstm = TestModels.Node("LSTM", ["features", "W", "R", "", "", "h0", "c0"], ["Y", "Y_h", "Y_c"], "lstm");
        NodeAttributes.SetInt(lstm, "hidden_size", Hidden);
        model.Graph.Node.Add(lstm);
        model.Graph.Node.Add(TestModels.Node("Unsqueeze", ["Y_h", "axis0"], ["h_out"], "h_unsqueeze"));
        model.Graph.Node.Add(TestModels.Node("Unsqueeze", ["Y_c", "axis0"], ["c_out"], "c_unsqueeze"));
        var concat = TestModels.Node("Concat", ["h_out", "c_out"], ["stateN"], "state_concat");
        NodeAttributes.SetInt(concat, "axis", 0);
        model.Graph.Node.Add(concat);
        model.Graph.Node.Add(TestModels.Node("Squeeze", ["Y", "axis1"], ["sequence"], "y_squeeze"));
        model.Graph.Node.Add(TestModels.Node("MatMul", ["sequence", "w_out"], ["scores"], "mm_out"));
        model.Graph.Input.Add(TestModels.Tensor("x", DataType.Float, Steps, 1, Width));
        model.Graph.Input.Add(TestModels.Tensor("h0", DataType.Float, 1, 1, Hidden));
        model.Graph.Input.Add(TestModels.Tensor("c0", DataType.Float, 1, 1, Hidden));
        model.Graph.Output.Add(TestModels.Tensor("scores", DataType.Float, Steps, 1, 2));
        model.Graph.Output.Add(TestModels.Tensor("stateN", DataType.Float, 2, 1, 1, Hidden));
        return model;
    }

    [Fact]
    public void The_state_an_lstm_returns_stays_state_through_unsqueeze_and_concat_but_its_input_and_its_output_sequence_do_not()
    {
        var state = RecurrentState.Values(LstmModel().Graph);

        Assert.Equal(["Y_c", "Y_h", "c0", "c_out", "h0", "h_out", "stateN"], state.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void What_an_lstm_input_is_computed_from_takes_the_mse_range_in_place_of_the_default_percentile_only()
    {
        var inputs = RecurrentState.Inputs(LstmModel().Graph);

        Assert.Equal(["features", "w_in", "x"], inputs.Order(StringComparer.Ordinal));
        Assert.Equal(CalibrationMethod.Mse, RecurrentState.RangeMethod(CalibrationMethod.Percentile, feedsRecurrence: true));
        Assert.Equal(CalibrationMethod.Percentile, RecurrentState.RangeMethod(CalibrationMethod.Percentile, feedsRecurrence: false));
        Assert.Equal(CalibrationMethod.MinMax, RecurrentState.RangeMethod(CalibrationMethod.MinMax, feedsRecurrence: true));
    }

    [Fact]
    public void A_loop_body_carries_its_concatenated_result_as_state_and_a_slice_of_a_window_without_the_window()
    {
        // The body: window = Concat(context, chunk); next_context = Slice(window) (a stream's context, as Silero's wrapper keeps it);
        // next_h = Reshape(Concat(MatMul(window), h)) (a hand-written cell's new state). Both are carried to the next iteration.
        var body = new GraphProto { Name = "body" };
        body.Input.Add(TestModels.Tensor("iteration", DataType.Int64));
        body.Input.Add(TestModels.Tensor("condition", DataType.Bool));
        body.Input.Add(TestModels.Tensor("context", DataType.Float, 1, 4));
        body.Input.Add(TestModels.Tensor("h", DataType.Float, 1, 4));
        body.Node.Add(TestModels.Node("Gather", ["input", "iteration"], ["chunk"], "chunk_of_iteration"));
        body.Node.Add(TestModels.Node("Concat", ["context", "chunk"], ["window"], "context_and_chunk"));
        body.Node.Add(TestModels.Node("Slice", ["window", "start", "end", "axis"], ["next_context"], "last_context"));
        body.Node.Add(TestModels.Node("MatMul", ["window", "w"], ["projected"], "cell_mm"));
        body.Node.Add(TestModels.Node("Concat", ["projected", "h"], ["joined"], "cell_concat"));
        body.Node.Add(TestModels.Node("Reshape", ["joined", "shape"], ["next_h"], "cell_reshape"));
        body.Node.Add(TestModels.Node("Identity", ["condition"], ["next_condition"], "keep_going"));
        body.Output.Add(TestModels.Tensor("next_condition", DataType.Bool));
        body.Output.Add(TestModels.Tensor("next_context", DataType.Float, 1, 4));
        body.Output.Add(TestModels.Tensor("next_h", DataType.Float, 1, 4));
        body.Output.Add(TestModels.Tensor("projected", DataType.Float, 1, 4));
        var main = new GraphProto { Name = "main" };
        var loop = TestModels.Node("Loop", ["count", "", "context0", "h0"], ["contextN", "hN", "projections"], "stream");
        loop.Attribute.Add(new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graph, G = body });
        main.Node.Add(loop);

        var state = RecurrentState.Values(main);

        Assert.Equal(["contextN", "h", "hN", "joined", "next_context", "next_h", "projected"], state.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Int8_static_puts_no_qdq_on_the_lstm_state_and_still_quantizes_the_layers_around_it()
    {
        var model = new OnnxModel(LstmModel(), null);

        var result = ModelQuantizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Int8Static, Preprocess = false }, Samples(16, seed: 2));

        var quantizedValues = Subgraphs.AllNodes(result.Model.Graph).Where(n => n.OpType == "QuantizeLinear").Select(n => n.Input[0]).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("x", quantizedValues);
        Assert.Contains("sequence", quantizedValues);
        Assert.DoesNotContain(quantizedValues, v => v is "Y_h" or "Y_c" or "h_out" or "c_out" or "stateN" or "h0" or "c0");
        Assert.All(result.Nodes.Where(n => n.Node is "h_unsqueeze" or "c_unsqueeze"), n => Assert.Equal((false, RecurrentState.Reason), (n.Quantized, n.Detail)));
        Assert.False(result.Nodes.Single(n => n.Node == "state_concat").Quantized);
        Assert.True(result.Nodes.Single(n => n.Node == "mm_out").Quantized);
        Assert.Contains(result.Advisories, a => a.Code == DiagnosticCodes.RecurrentStateKeptFloat.Id);
        var state = Run(result.Model, "stateN");
        var reference = Run(model, "stateN");
        Assert.All(reference.Zip(state), p => Assert.Equal(p.First, p.Second, 0.05f));
    }

    private static float[] Run(OnnxModel model, string output)
    {
        using var session = ModelSessions.Open(model, SessionSettings.Default);
        return session.Run(Samples(1, seed: 9).Sample(0), [output])[0].AsSpan<float>().ToArray();
    }

    private static Dataset Samples(int count, int seed)
    {
        var random = new Random(seed);
        float[] Values(int n, double scale) => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
        var samples = Enumerable.Range(0, count).Select(_ => (IReadOnlyList<HostTensor>)
        [
            HostTensor.FromArray<float>("x", [Steps, 1, Width], Values(Steps * Width, 1)),
            HostTensor.FromArray<float>("h0", [1, 1, Hidden], Values(Hidden, 0.5)),
            HostTensor.FromArray<float>("c0", [1, 1, Hidden], Values(Hidden, 2)),
        ]).ToList();
        return new Dataset("lstm-samples", count, i => samples[i]);
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
}
