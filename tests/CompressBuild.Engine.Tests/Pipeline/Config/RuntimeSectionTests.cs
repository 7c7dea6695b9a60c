using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Config;

/// <summary>compress.yaml's runtime section: execution_provider and threads, validated like every other key.</summary>
public sealed class RuntimeSectionTests : IDisposable
{
    private readonly TempFolder temp = new();

    public RuntimeSectionTests() => File.Copy(Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), temp.File("mlp.onnx"));

    public void Dispose() => temp.Dispose();

    [Fact]
    public void The_runtime_section_gives_the_provider_and_threads_unless_the_command_line_gave_threads()
    {
        var config = Load("runtime: { execution_provider: cpu, threads: 2 }");

        Assert.Equal("cpu", config.Runtime!.Text("execution_provider"));
        Assert.Equal(2, RuntimeSection.Apply(config, threads: 1, threadsGiven: false));
        Assert.Equal(1, RuntimeSection.Apply(config, threads: 1, threadsGiven: true));
    }

    [Fact]
    public void Without_a_runtime_section_the_command_lines_threads_stand()
    {
        var config = Load("");

        Assert.Null(config.Runtime);
        Assert.Equal(1, RuntimeSection.Apply(config, threads: 1, threadsGiven: false));
    }

    [Fact]
    public void An_unknown_provider_is_CB2103_at_its_line_listing_the_choices()
    {
        var error = Assert.Throws<CompressBuildException>(() => Load("runtime:\n  execution_provider: rocm"));

        Assert.Equal(DiagnosticCodes.ConfigInvalidValue, error.Code);
        Assert.Equal(3, error.Line);
        Assert.Contains("openvino", error.Message, StringComparison.Ordinal);
    }

    private CompressConfig Load(string runtime) =>
        CompressConfigLoader.Parse("version: 1\n" + runtime + "\nmodels:\n  - path: mlp.onnx\n    passes:\n      - quantize: { mode: int8-dynamic }\n", temp.File("compress.yaml"), temp.Path);
}
