using CompressBuild.Engine.Onnx;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Onnx;

/// <summary>
/// ONNX's own checker (Debian python3-onnx, installed by tests/test.sh) validates what our writer produces,
/// inline and with external data: a judge that shares no code with us.
/// </summary>
public class OnnxCheckerTests
{
    public static TheoryData<string, ExternalDataLayout> Cases()
    {
        var data = new TheoryData<string, ExternalDataLayout>();
        foreach (var model in new[] { "mlp.onnx", "cnn_residual.onnx", "cnn_concat_dw.onnx", "mlp_opset11_constants.onnx" })
        {
            foreach (var layout in new[] { ExternalDataLayout.Inline, ExternalDataLayout.SingleFile, ExternalDataLayout.PerTensor })
            {
                data.Add(model, layout);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Models_we_write_pass_onnx_checker(string model, ExternalDataLayout layout)
    {
        using var temp = new TempFolder();
        var output = temp.File(model);
        OnnxModelWriter.Save(OnnxModelReader.Load(Path.Combine(RepositoryPaths.Digits, model)), output, new ModelSaveOptions { Layout = layout, SizeThreshold = 256 });

        var (exitCode, text) = Check(output);

        Assert.True(exitCode == 0, $"onnx.checker rejected {model} ({layout}): {text}");
        Assert.Contains("ok", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_checker_does_reject_a_broken_model()
    {
        // Proves the judge is awake: a graph whose node reads a value nothing defines must fail.
        using var temp = new TempFolder();
        var model = Testing.TestModels.AddWeight(2);
        model.Graph.Node[0].Input[0] = "undefined_value";

        var (exitCode, _) = Check(Testing.TestModels.Write(model, temp.File("broken.onnx")));

        Assert.NotEqual(0, exitCode);
    }

    private static (int ExitCode, string Text) Check(string path) => OnnxChecker.Check(path);
}
