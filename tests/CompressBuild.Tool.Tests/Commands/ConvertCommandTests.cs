using System.Text.Json;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

public class ConvertCommandTests
{
    private static string Mlp => Path.Combine(RepositoryPaths.Digits, "mlp.onnx");

    [Fact]
    public void External_then_inline_gives_back_the_original_file()
    {
        using var temp = new TempFolder();

        var toExternal = CliRun.Of("convert", Mlp, "-o", temp.File("ext/m.onnx"), "--external-data", "--size-threshold", "512");
        var toInline = CliRun.Of("convert", temp.File("ext/m.onnx"), "-o", temp.File("inline/m.onnx"), "--inline");

        Assert.Equal(ExitCodes.Ok, toExternal.ExitCode);
        Assert.Equal(ExitCodes.Ok, toInline.ExitCode);
        Assert.True(new FileInfo(temp.File("ext/m.onnx")).Length < 4096);
        Assert.Equal(File.ReadAllBytes(Mlp), File.ReadAllBytes(temp.File("inline/m.onnx")));
    }

    [Fact]
    public void Json_result_lists_the_data_files()
    {
        using var temp = new TempFolder();

        var run = CliRun.Of("convert", Mlp, "-o", temp.File("m.onnx"), "--external-data", "--per-tensor", "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var files = JsonDocument.Parse(run.Out).RootElement.GetProperty("dataFiles").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(4, files.Count);
        Assert.All(files, f => Assert.True(File.Exists(temp.File(f))));
    }

    [Theory]
    [InlineData("--external-data", "--inline")]
    [InlineData("--per-tensor")]
    public void Contradictory_options_are_exit_4(params string[] options)
    {
        using var temp = new TempFolder();

        var run = CliRun.Of(["convert", Mlp, "-o", temp.File("m.onnx"), .. options]);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("CB2012", run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void A_corrupt_input_writes_no_output()
    {
        using var temp = new TempFolder();
        var bytes = File.ReadAllBytes(Mlp);
        File.WriteAllBytes(temp.File("cut.onnx"), bytes[..(bytes.Length / 2)]);

        var run = CliRun.Of("convert", temp.File("cut.onnx"), "-o", temp.File("out/m.onnx"));

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error CB2002", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.File("out")));
    }

    [Fact]
    public void Output_is_required()
    {
        Assert.Equal(ExitCodes.InvalidInput, CliRun.Of("convert", Mlp).ExitCode);
    }

    [Fact]
    public void An_output_folder_that_is_a_file_is_CB2013_naming_the_path()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("taken"), "a file, not a folder");

        var run = CliRun.Of("convert", Mlp, "-o", temp.File("taken/m.onnx"));

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error CB2013", run.Error, StringComparison.Ordinal);
        Assert.Contains(temp.File("taken"), run.Error, StringComparison.Ordinal);
        Assert.Equal(["taken"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }
}
