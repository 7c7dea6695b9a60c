using System.Text.Json;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
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

    [Fact]
    public void Opset_option_raises_the_model_and_reports_the_rewritten_ops_in_json()
    {
        using var temp = new TempFolder();
        var source = Path.Combine(RepositoryPaths.Digits, "mlp_opset11_constants.onnx");

        var run = CliRun.Of("convert", source, "-o", temp.File("m13.onnx"), "--opset", "13", "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var json = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal(11, json.GetProperty("opsetBefore").GetInt64());
        Assert.Equal(13, json.GetProperty("opsetAfter").GetInt64());
        Assert.Equal(13, OnnxModelReader.Load(temp.File("m13.onnx")).OpsetVersion(""));
    }

    [Fact]
    public void A_model_with_an_op_that_cannot_be_converted_is_CB2030_naming_it_and_writes_nothing()
    {
        using var temp = new TempFolder();
        var graph = new GraphProto { Name = "scan8" };
        graph.Input.Add(new ValueInfoProto { Name = "x", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        graph.Node.Add(new NodeProto { OpType = "Scan", Name = "old_scan", Input = { "", "x" }, Output = { "y" } });
        graph.Output.Add(new ValueInfoProto { Name = "y" });
        var proto = new ModelProto { IrVersion = 3, Graph = graph };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 8 });
        OnnxModelWriter.Save(new OnnxModel(proto, null), temp.File("scan8.onnx"));

        var run = CliRun.Of("convert", temp.File("scan8.onnx"), "-o", temp.File("out/m.onnx"), "--opset", "13");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error CB2030", run.Error, StringComparison.Ordinal);
        Assert.Contains("Scan node 'old_scan'", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.File("out")));
    }

    [Theory]
    [InlineData("5", "CB2031")]
    [InlineData("99", "CB2031")]
    public void An_opset_outside_what_the_converter_supports_is_refused(string opset, string code)
    {
        using var temp = new TempFolder();

        var run = CliRun.Of("convert", Mlp, "-o", temp.File("m.onnx"), "--opset", opset);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error " + code, run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Converting_a_model_onto_itself_is_refused_and_leaves_it_unchanged()
    {
        using var temp = new TempFolder();
        File.Copy(Path.Combine(RepositoryPaths.Digits, "mlp_opset11_constants.onnx"), temp.File("m.onnx"));
        var before = File.ReadAllBytes(temp.File("m.onnx"));

        var run = CliRun.Of("convert", temp.File("m.onnx"), "-o", temp.File("m.onnx"), "--opset", "13");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error CB2200", run.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(temp.File("m.onnx")));
    }
}
