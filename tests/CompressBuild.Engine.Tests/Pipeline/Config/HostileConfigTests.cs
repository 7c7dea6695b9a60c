using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Config;

/// <summary>Hostile compress.yaml values and files are CB21xx/CB2xxx errors at their line, never a crash or a hang.</summary>
public sealed class HostileConfigTests : IDisposable
{
    private readonly TempFolder temp = new();

    public HostileConfigTests()
    {
        File.Copy(Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), temp.File("mlp.onnx"));
        File.Copy(Path.Combine(RepositoryPaths.Digits, "test_x_flat.npy"), temp.File("test.npy"));
        File.Copy(Path.Combine(RepositoryPaths.Digits, "test_labels.npy"), temp.File("labels.npy"));
    }

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("timeout: \"\"")]
    [InlineData("timeout: 1e15")]
    [InlineData("timeout: 1e300h")]
    [InlineData("timeout: 1e-300")]
    [InlineData("max_trials: 9223372036854775807")]
    public void Absurd_search_values_are_CB2103_at_their_line(string setting)
    {
        var error = Error($"version: 1\nmodels:\n  - path: mlp.onnx\n    passes: [quantize: {{ mode: int8-dynamic }}]\n    search:\n      mode: auto\n      {setting}\n");

        Assert.Equal(DiagnosticCodes.ConfigInvalidValue, error.Code);
        Assert.Equal(7, error.Line);
    }

    [Theory]
    [InlineData("prune: { method: channel, sparsity: 0.5, round_to: 9223372036854775807 }")]
    [InlineData("quantize: { mode: int8-dynamic, keep_float_top: 9223372036854775807 }")]
    public void Whole_numbers_beyond_an_int_are_CB2103(string pass)
    {
        var error = Error($"version: 1\nmodels:\n  - path: mlp.onnx\n    passes:\n      - {pass}\n");

        Assert.Equal(DiagnosticCodes.ConfigInvalidValue, error.Code);
    }

    [Fact]
    public void A_config_read_from_a_device_is_refused_without_reading_it_all()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var error = Assert.Throws<CompressBuildException>(() => CompressConfigLoader.Load("/dev/zero"));

        Assert.Equal(DiagnosticCodes.InputNotRegularFile, error.Code);
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 16L << 20);
    }

    [Theory]
    [InlineData("labels.npy")]
    [InlineData("test.npy")]
    [InlineData("compress.yaml")]
    [InlineData("dl/mlp.onnx")]
    public void An_output_that_is_a_file_the_run_reads_is_CB2200_before_any_work(string output)
    {
        Directory.CreateSymbolicLink(temp.File("dl"), temp.Path);
        File.WriteAllText(temp.File("compress.yaml"),
            $"version: 1\nmodels:\n  - path: mlp.onnx\n    output: {output}\n    passes: [quantize: {{ mode: int8-dynamic }}]\n    evaluation: {{ data: test.npy, labels: labels.npy }}\n");
        var hashes = Hashes();

        var error = Assert.Throws<CompressBuildException>(() =>
            PipelineRunner.Run(CompressConfigLoader.Load(temp.File("compress.yaml")), new PipelineOptions { UseCache = false }));

        Assert.Equal(DiagnosticCodes.OutputIsAnInput, error.Code);
        Assert.Equal(hashes, Hashes());
    }

    [Fact]
    public void An_output_that_is_the_models_external_data_is_CB2200()
    {
        Engine.Onnx.OnnxModelWriter.Save(Engine.Onnx.OnnxModelReader.Load(temp.File("mlp.onnx")), temp.File("ext.onnx"),
            new Engine.Onnx.ModelSaveOptions { Layout = Engine.Onnx.ExternalDataLayout.SingleFile });
        File.WriteAllText(temp.File("compress.yaml"),
            "version: 1\nmodels:\n  - path: ext.onnx\n    output: ext.onnx.data\n    passes: [quantize: { mode: int8-dynamic }]\n    evaluation: { data: test.npy }\n");
        var data = File.ReadAllBytes(temp.File("ext.onnx.data"));

        var error = Assert.Throws<CompressBuildException>(() =>
            PipelineRunner.Run(CompressConfigLoader.Load(temp.File("compress.yaml")), new PipelineOptions { UseCache = false }));

        Assert.Equal(DiagnosticCodes.OutputIsAnInput, error.Code);
        Assert.Equal(data, File.ReadAllBytes(temp.File("ext.onnx.data")));
    }

    [Fact]
    public void One_models_output_may_not_be_another_models_path()
    {
        File.Copy(temp.File("mlp.onnx"), temp.File("second.onnx"));
        File.WriteAllText(temp.File("compress.yaml"),
            "version: 1\nmodels:\n  - path: mlp.onnx\n    output: second.onnx\n    passes: [quantize: { mode: int8-dynamic }]\n  - path: second.onnx\n    passes: [quantize: { mode: int8-dynamic " +
                "}]\n");

        var error = Assert.Throws<CompressBuildException>(() =>
            PipelineRunner.Run(CompressConfigLoader.Load(temp.File("compress.yaml")), new PipelineOptions { UseCache = false }));

        Assert.Equal(DiagnosticCodes.OutputIsAnInput, error.Code);
    }

    private Dictionary<string, string> Hashes() => Directory.GetFiles(temp.Path)
        .ToDictionary(f => f, f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    private CompressBuildException Error(string yaml)
    {
        File.WriteAllText(temp.File("compress.yaml"), yaml);
        return Assert.Throws<CompressBuildException>(() => CompressConfigLoader.Load(temp.File("compress.yaml")));
    }
}
