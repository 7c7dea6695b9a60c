using System.Diagnostics;
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
    public async Task Pruned_models_pass_onnx_checker_with_full_shape_inference(string fixture, PruneMethod method)
    {
        using var temp = new TempFolder();
        var result = ModelPruner.Run(PruningFixtures.Load(fixture), new PruneSettings { Method = method, Sparsity = method == PruneMethod.NM ? null : 0.5 });
        var path = temp.File("pruned.onnx");
        OnnxModelWriter.Save(result.Model, path);

        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import sys, onnx; onnx.checker.check_model(sys.argv[1], full_check=True); print('ok')");
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, $"onnx.checker rejected {fixture} ({method}): {await stdout}{await stderr}");
    }
}
