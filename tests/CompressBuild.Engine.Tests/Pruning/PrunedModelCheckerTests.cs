using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pruning;

/// <summary>ONNX's own checker (Debian python3-onnx, full shape inference) accepts every pruned model: shapes stay consistent.</summary>
public class PrunedModelCheckerTests
{
    public static TheoryData<string, PruneMethod> Cases() => new()
    {
        { "mlp.onnx", PruneMethod.Channel },
        { "cnn_residual.onnx", PruneMethod.Channel },
        { "cnn_concat_dw.onnx", PruneMethod.Channel },
        { "mlp_opset11_constants.onnx", PruneMethod.Channel },
        { "mlp_opset11_constants.onnx", PruneMethod.NM },
        { "cnn_residual.onnx", PruneMethod.Block },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pruned_models_pass_onnx_checker_with_full_shape_inference(string fixture, PruneMethod method)
    {
        using var temp = new TempFolder();
        var result = ModelPruner.Run(PruningFixtures.Load(fixture), new PruneSettings { Method = method, Sparsity = method == PruneMethod.NM ? null : 0.5 });
        var path = temp.File("pruned.onnx");
        OnnxModelWriter.Save(result.Model, path);

        var (exitCode, output) = OnnxChecker.Check(path);

        Assert.True(exitCode == 0, $"onnx.checker rejected {fixture} ({method}): {output}");
    }
}
