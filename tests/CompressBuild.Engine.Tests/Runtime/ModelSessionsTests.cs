using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Runtime;

public class ModelSessionsTests
{
    private static readonly string Mlp = Path.Combine(RepositoryPaths.Digits, "mlp.onnx");

    [Fact]
    public void An_in_memory_model_with_external_data_runs_like_the_file()
    {
        using var temp = new TempFolder();
        var external = temp.File("mlp.onnx");
        OnnxModelWriter.Save(OnnxModelReader.Load(Mlp), external, new ModelSaveOptions { Layout = ExternalDataLayout.SingleFile });
        var model = OnnxModelReader.Load(external);
        Assert.Contains(ModelTensors.All(model.Proto), ExternalDataReference.IsExternal);
        var input = HostTensor.FromArray<float>("input", [1, 64], Enumerable.Range(0, 64).Select(i => i / 64f).ToArray());

        using var fromMemory = ModelSessions.Open(model);
        using var fromFile = ModelSessions.Open(Mlp);

        Assert.Equal(fromFile.Run([input])[0].Data, fromMemory.Run([input])[0].Data);
    }

    [Fact]
    public void A_model_the_runtime_refuses_is_CB2008_naming_it()
    {
        var model = TestModels.AddWeight(4);
        model.Graph.Node[0].OpType = "NoSuchOperator";

        var error = Assert.Throws<CompressBuildException>(() => ModelSessions.Open(new OnnxModel(model, null, "broken.onnx")));

        Assert.Equal(DiagnosticCodes.ModelRejectedByRuntime, error.Code);
        Assert.EndsWith("broken.onnx", error.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Exposed_outputs_keep_the_original_model_untouched()
    {
        var model = new OnnxModel(TestModels.AddWeight(4), null);

        var exposed = ModelOutputs.WithOutputs(model, ["x", "y", "x"]);

        Assert.Single(model.Graph.Output);
        Assert.Equal(["y", "x"], exposed.Graph.Output.Select(o => o.Name));
        Assert.Equal((int)TensorProto.Types.DataType.Float, exposed.Graph.Output[1].Type.TensorType.ElemType);
    }
}
