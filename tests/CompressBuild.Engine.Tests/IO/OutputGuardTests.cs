using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.IO;

/// <summary>Output paths checked before any work, on real files, folders, links and FIFOs in a temp folder.</summary>
public sealed class OutputGuardTests : IDisposable
{
    private readonly TempFolder temp = new();

    public OutputGuardTests() => File.WriteAllText(temp.File("model.onnx"), "an input");

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_new_file_beside_the_inputs_is_accepted()
    {
        OutputGuard.Check(temp.File("out.onnx"), [temp.File("model.onnx"), null, ""]);

        Assert.False(File.Exists(temp.File("out.onnx")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void An_empty_output_is_CB2200(string output) =>
        Assert.Equal(DiagnosticCodes.OutputPathEmpty, Refused(output).Code);

    [Fact]
    public void A_folder_is_refused_and_left_alone()
    {
        Directory.CreateDirectory(temp.File("folder"));

        var error = Refused(temp.File("folder"));

        Assert.Equal(DiagnosticCodes.OutputPathInvalid, error.Code);
        Assert.Equal(temp.File("folder"), error.File);
        Assert.True(Directory.Exists(temp.File("folder")));
    }

    [Fact]
    public void A_fifo_is_not_a_regular_file_and_is_refused()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        SpecialFiles.Mkfifo(temp.File("pipe"));

        Assert.False(OutputGuard.IsRegularFile(temp.File("pipe")));
        Assert.Equal(DiagnosticCodes.OutputNotRegularFile, Refused(temp.File("pipe")).Code);
        Assert.Equal("fifo", SpecialFiles.Kind(temp.File("pipe")));
    }

    [Fact]
    public void The_input_itself_through_dot_dot_or_through_a_link_is_refused()
    {
        Directory.CreateDirectory(temp.File("sub"));
        File.CreateSymbolicLink(temp.File("alias.onnx"), temp.File("model.onnx"));
        Directory.CreateSymbolicLink(temp.File("linked"), temp.File("sub"));

        Assert.Equal(DiagnosticCodes.OutputIsAnInput, Refused(temp.File("model.onnx")).Code);
        Assert.Equal(DiagnosticCodes.OutputIsAnInput, Refused(temp.File(Path.Combine("sub", "..", "model.onnx"))).Code);
        Assert.Equal(DiagnosticCodes.OutputIsAnInput, Refused(temp.File("alias.onnx")).Code);
        // linked/.. is the parent of sub's target (the temp folder), as the kernel resolves it.
        Assert.Equal(DiagnosticCodes.OutputIsAnInput, Refused(temp.File(Path.Combine("linked", "..", "model.onnx"))).Code);
        Assert.Equal("an input", File.ReadAllText(temp.File("model.onnx")));
    }

    private CompressBuildException Refused(string output) =>
        Assert.Throws<CompressBuildException>(() => OutputGuard.Check(output, [temp.File("model.onnx")]));
}
