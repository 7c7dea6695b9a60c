using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Runtime;

public class InferenceSessionTests
{
    private static string Mlp => Path.Combine(RepositoryPaths.Digits, "mlp.onnx");

    [Fact]
    public void Reports_inputs_and_outputs_with_symbolic_dims()
    {
        using var session = InferenceSession.Create(Mlp);

        var input = Assert.Single(session.Inputs);
        Assert.Equal("input", input.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Float, input.ElementType);
        Assert.Equal([-1, 64], input.Shape);
        Assert.Equal(["batch", ""], input.SymbolicDims);
        var output = Assert.Single(session.Outputs);
        Assert.Equal("logits", output.Name);
        Assert.Equal([-1, 10], output.Shape);
    }

    [Fact]
    public void Runs_the_fixture_and_matches_the_outputs_recorded_by_torch()
    {
        var dataSet = Path.Combine(RepositoryPaths.Digits, "mlp_test_data", "test_data_set_0");
        var input = HostTensor.FromProto(TensorProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(dataSet, "input_0.pb"))), "input");
        var expected = HostTensor.FromProto(TensorProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(dataSet, "output_0.pb"))));

        using var session = InferenceSession.Create(Mlp);
        var actual = Assert.Single(session.Run([input]));

        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.AsSpan<float>();
        var a = actual.AsSpan<float>();
        for (var i = 0; i < e.Length; i++)
        {
            Assert.True(Math.Abs(e[i] - a[i]) <= 1e-4f + 1e-4f * Math.Abs(e[i]), $"element {i}: expected {e[i]}, got {a[i]}");
        }
    }

    [Fact]
    public void Bound_run_writes_into_caller_provided_outputs_and_matches_an_allocating_run()
    {
        var x = HostTensor.FromArray<float>("input", [1, 64], Enumerable.Range(0, 64).Select(i => (i % 7) / 7f).ToArray());
        using var session = InferenceSession.Create(Mlp, new SessionSettings { IntraOpThreads = 1 });
        var reference = session.Run([x])[0];
        var output = HostTensor.Zeros("logits", (int)TensorProto.Types.DataType.Float, [1, 10]);

        using (var run = session.Bind([x], [output]))
        {
            run.Invoke();
            run.Invoke();
        }

        Assert.Equal(reference.Data, output.Data);
    }

    [Fact]
    public void Session_from_bytes_equals_session_from_path()
    {
        var x = HostTensor.FromArray<float>("input", [2, 64], Enumerable.Range(0, 128).Select(i => (i % 5) / 5f).ToArray());
        using var fromPath = InferenceSession.Create(Mlp);
        using var fromBytes = InferenceSession.Create(File.ReadAllBytes(Mlp));

        Assert.Equal(fromPath.Run([x])[0].Data, fromBytes.Run([x])[0].Data);
    }

    [Fact]
    public void Free_dimension_override_fixes_the_symbolic_batch()
    {
        using var session = InferenceSession.Create(Mlp, new SessionSettings { FreeDimensions = new Dictionary<string, long> { ["batch"] = 3 } });

        Assert.Equal([3, 64], session.Inputs[0].Shape);
    }

    [Fact]
    public void Saves_the_optimized_model_where_asked()
    {
        // At the extended level ONNX Runtime fuses each Gemm + Relu of the MLP into one com.microsoft FusedGemm:
        // the saved file is that rewritten graph, not a copy of the input, and it computes the same logits.
        using var temp = new TempFolder();
        var optimized = temp.File("optimized.onnx");
        var x = HostTensor.FromArray<float>("input", [4, 64], Enumerable.Range(0, 256).Select(i => (i % 11) / 11f).ToArray());

        using (InferenceSession.Create(Mlp, new SessionSettings { OptimizedModelPath = optimized, OptimizationLevel = GraphOptimizationLevel.Extended }))
        {
            Assert.True(File.Exists(optimized));
        }

        var input = OnnxModelReader.Load(Mlp);
        var saved = OnnxModelReader.Load(optimized);
        Assert.Equal(["Gemm", "Relu", "Gemm", "Relu", "Gemm"], input.Graph.Node.Select(n => n.OpType));
        Assert.Equal(2, saved.Graph.Node.Count(n => n.OpType == "FusedGemm" && n.Domain == "com.microsoft"));
        Assert.DoesNotContain(saved.Graph.Node, n => n.OpType == "Relu");
        Assert.True(saved.Graph.Node.Count < input.Graph.Node.Count);
        using var original = InferenceSession.Create(Mlp, new SessionSettings { OptimizationLevel = GraphOptimizationLevel.None });
        using var reloaded = InferenceSession.Create(optimized, new SessionSettings { OptimizationLevel = GraphOptimizationLevel.None });
        var expected = original.Run([x])[0].AsSpan<float>().ToArray();
        var actual = reloaded.Run([x])[0].AsSpan<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5f + (1e-5f * Math.Abs(p.First)), $"{p.First} vs {p.Second}"));
    }

    [Fact]
    public void String_tensors_round_trip_through_the_runtime()
    {
        // Identity over strings: the smallest model that makes ORT copy string data in and out.
        var model = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "g" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        model.Graph.Node.Add(new NodeProto { OpType = "Identity", Input = { "x" }, Output = { "y" } });
        model.Graph.Input.Add(StringValue("x"));
        model.Graph.Output.Add(StringValue("y"));
        using var stream = new MemoryStream();
        using (var output = new Google.Protobuf.CodedOutputStream(stream, leaveOpen: true))
        {
            model.WriteTo(output);
        }

        using var session = InferenceSession.Create(stream.ToArray());
        var result = session.Run([HostTensor.FromStrings("x", [3], ["a", "", "日本語"])])[0];

        Assert.Equal(["a", "", "日本語"], result.Strings!);
    }

    [Fact]
    public void A_runtime_error_carries_ort_code_and_message()
    {
        using var session = InferenceSession.Create(Mlp);
        var wrongShape = HostTensor.FromArray<float>("input", [1, 63], new float[63]);

        var error = Assert.Throws<OrtException>(() => session.Run([wrongShape]));

        Assert.Equal(OrtErrorCode.InvalidArgument, error.ErrorCode);
        Assert.Contains("input", error.Message, StringComparison.Ordinal);
    }

    private static ValueInfoProto StringValue(string name)
    {
        var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.String, Shape = new TensorShapeProto() } };
        type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "n" });
        return new ValueInfoProto { Name = name, Type = type };
    }

    [Fact]
    public void A_run_given_tensors_to_reuse_overwrites_those_of_its_shape_and_allocates_the_others()
    {
        static HostTensor Input(int batch, int seed) =>
            HostTensor.FromArray<float>("input", [batch, 64], Enumerable.Range(0, batch * 64).Select(i => ((i + seed) % 11) / 11f).ToArray());

        using var session = InferenceSession.Create(Mlp);
        var first = session.Run([Input(1, 0)])[0];
        var second = session.Run([Input(1, 5)]);
        var expected = second[0].AsSpan<float>().ToArray();

        var reused = session.Run([Input(1, 5)], ["logits"], [first]);
        Assert.Same(first, reused[0]);
        Assert.Equal(expected, first.AsSpan<float>().ToArray());

        // Another batch size: the old tensor does not fit, so a new one comes back and the old one keeps its values.
        var wider = session.Run([Input(2, 5)], ["logits"], [first]);
        Assert.NotSame(first, wider[0]);
        Assert.Equal([2, 10], wider[0].Shape);
        Assert.Equal(expected, first.AsSpan<float>().ToArray());
        var row = wider[0].AsSpan<float>()[..10].ToArray();
        Assert.All(Enumerable.Range(0, 10), i => Assert.True(Math.Abs(row[i] - expected[i]) <= 1e-5f + (1e-5f * Math.Abs(expected[i])), $"logit {i}: {row[i]} against {expected[i]}"));
    }
}
