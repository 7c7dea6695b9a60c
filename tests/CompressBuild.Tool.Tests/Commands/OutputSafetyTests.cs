using System.Security.Cryptography;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

/// <summary>
/// No command destroys a file it reads or writes over something that is not a regular file: outputs are
/// resolved after links and "..", compared with every input, and refused with CB2200/CB2201/CB2202.
/// </summary>
public sealed class OutputSafetyTests : IDisposable
{
    private readonly TempFolder temp = new();

    public OutputSafetyTests()
    {
        File.Copy(Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), temp.File("mlp.onnx"));
        File.Copy(Path.Combine(RepositoryPaths.Digits, "test_x_flat.npy"), temp.File("test.npy"));
        File.Copy(Path.Combine(RepositoryPaths.Digits, "test_labels.npy"), temp.File("labels.npy"));
    }

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("quantize", "mlp.onnx")]
    [InlineData("prune", "mlp.onnx")]
    [InlineData("convert", "mlp.onnx")]
    [InlineData("quantize", "sub/../mlp.onnx")]
    [InlineData("prune", "./mlp.onnx")]
    [InlineData("convert", "link/mlp.onnx")]
    public void An_output_that_is_the_input_is_CB2200_and_the_input_is_untouched(string command, string output)
    {
        Directory.CreateDirectory(temp.File("sub"));
        Directory.CreateSymbolicLink(temp.File("link"), temp.Path);
        var before = Hashes();

        var run = CliRun.Of(command, temp.File("mlp.onnx"), "-o", Path.Combine(temp.Path, output));

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error CB2200", run.Error, StringComparison.Ordinal);
        Assert.Equal(before, Hashes());
    }

    [Theory]
    [InlineData("quantize")]
    [InlineData("prune")]
    [InlineData("convert")]
    public void An_output_that_is_the_inputs_external_data_is_CB2200(string command)
    {
        Assert.Equal(ExitCodes.Ok, CliRun.Of("convert", temp.File("mlp.onnx"), "-o", temp.File("ext/m.onnx"), "--external-data", "--size-threshold", "512").ExitCode);
        var data = File.ReadAllBytes(temp.File("ext/m.onnx.data"));

        var run = CliRun.Of(command, temp.File("ext/m.onnx"), "-o", temp.File("ext/m.onnx.data"));

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error CB2200", run.Error, StringComparison.Ordinal);
        Assert.Equal(data, File.ReadAllBytes(temp.File("ext/m.onnx.data")));
    }

    [Fact]
    public void Prune_output_equal_to_its_data_or_labels_is_CB2200()
    {
        var before = Hashes();

        var data = CliRun.Of("prune", temp.File("mlp.onnx"), "-o", temp.File("test.npy"), "--data", temp.File("test.npy"));
        var labels = CliRun.Of("prune", temp.File("mlp.onnx"), "-o", temp.File("labels.npy"), "--data", temp.File("test.npy"), "--labels", temp.File("labels.npy"));

        Assert.Contains("error CB2200", data.Error, StringComparison.Ordinal);
        Assert.Contains("error CB2200", labels.Error, StringComparison.Ordinal);
        Assert.Equal(before, Hashes());
    }

    [Fact]
    public void Per_tensor_external_data_never_overwrites_another_models_tensors()
    {
        Assert.Equal(ExitCodes.Ok, CliRun.Of("convert", temp.File("mlp.onnx"), "-o", temp.File("out/a.onnx"), "--external-data", "--per-tensor").ExitCode);
        var first = Directory.GetFiles(temp.File("out")).ToDictionary(f => f, f => File.ReadAllBytes(f));
        Assert.Equal(ExitCodes.Ok, CliRun.Of("prune", temp.File("mlp.onnx"), "-o", temp.File("pruned.onnx"), "--sparsity", "0.5").ExitCode);

        var second = CliRun.Of("convert", temp.File("pruned.onnx"), "-o", temp.File("out/b.onnx"), "--external-data", "--per-tensor");

        Assert.Equal(ExitCodes.Ok, second.ExitCode);
        Assert.All(first, f => Assert.Equal(f.Value, File.ReadAllBytes(f.Key)));
        var again = CliRun.Of("convert", temp.File("out/a.onnx"), "-o", temp.File("out/a-inline.onnx"), "--inline");
        Assert.Equal(ExitCodes.Ok, again.ExitCode);
        Assert.Equal(File.ReadAllBytes(temp.File("mlp.onnx")), File.ReadAllBytes(temp.File("out/a-inline.onnx")));
    }

    [Fact]
    public void Per_tensor_conversion_into_the_inputs_own_folder_keeps_the_input_intact()
    {
        Assert.Equal(ExitCodes.Ok, CliRun.Of("convert", temp.File("mlp.onnx"), "-o", temp.File("pt/m.onnx"), "--external-data", "--per-tensor").ExitCode);
        Assert.Equal(ExitCodes.Ok, CliRun.Of("prune", temp.File("pt/m.onnx"), "-o", temp.File("pt/pruned.onnx"), "--sparsity", "0.5").ExitCode);
        var before = Directory.GetFiles(temp.File("pt")).ToDictionary(f => f, f => File.ReadAllBytes(f));

        // The pruned model's tensors have the input's names but other values.
        var run = CliRun.Of("convert", temp.File("pt/pruned.onnx"), "-o", temp.File("pt/pruned-pt.onnx"), "--external-data", "--per-tensor");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.All(before, f => Assert.Equal(f.Value, File.ReadAllBytes(f.Key)));
    }

    [Fact]
    public void An_output_at_a_device_node_is_CB2201_and_the_node_stays()
    {
        if (!SpecialFiles.TryMknodNull(temp.File("null")))
        {
            return;
        }

        var run = CliRun.Of("convert", temp.File("mlp.onnx"), "-o", temp.File("null"));

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error CB2201", run.Error, StringComparison.Ordinal);
        Assert.Equal("character special file", SpecialFiles.Kind(temp.File("null")));
    }

    [Fact]
    public void An_output_at_a_fifo_is_CB2201()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        SpecialFiles.Mkfifo(temp.File("pipe"));

        var run = CliRun.Of("quantize", temp.File("mlp.onnx"), "-o", temp.File("pipe"));

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error CB2201", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_output_is_CB2202()
    {
        var run = CliRun.Of("convert", temp.File("mlp.onnx"), "-o", "");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error CB2202", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_output_name_of_250_characters_is_written()
    {
        var name = new string('m', 245) + ".onnx";

        var run = CliRun.Of("convert", temp.File("mlp.onnx"), "-o", temp.File(name));

        Assert.True(run.ExitCode == ExitCodes.Ok, run.Error);
        Assert.Equal(File.ReadAllBytes(temp.File("mlp.onnx")), File.ReadAllBytes(temp.File(name)));
    }

    [Fact]
    public void Run_with_a_report_folder_that_is_a_file_writes_no_model()
    {
        File.WriteAllText(temp.File("reports"), "a file");
        File.WriteAllText(temp.File("compress.yaml"),
            "version: 1\nmodels:\n  - path: mlp.onnx\n    output: out.onnx\n    passes: [quantize: { mode: int8-dynamic }]\n    evaluation: { data: test.npy }\n");

        var run = CliRun.Of("run", temp.File("compress.yaml"), "--report-dir", temp.File("reports"), "--no-cache");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.False(File.Exists(temp.File("out.onnx")));
    }

    private Dictionary<string, string> Hashes() => Directory.GetFiles(temp.Path)
        .ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
}
