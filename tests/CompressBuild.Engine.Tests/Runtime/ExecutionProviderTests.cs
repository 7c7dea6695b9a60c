using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Runtime;

public class ExecutionProviderTests
{
    private static string Mlp => Path.Combine(RepositoryPaths.Digits, "mlp.onnx");

    [Fact]
    public void The_cpu_library_reports_the_cpu_provider()
    {
        Assert.Contains("CPUExecutionProvider", OrtRuntime.AvailableProviders);
    }

    [Fact]
    public void Every_name_users_write_parses_to_its_provider_and_back()
    {
        foreach (var name in ExecutionProviders.Names)
        {
            Assert.True(ExecutionProviders.TryParse(name.ToUpperInvariant(), out var provider));
            Assert.Equal(name, ExecutionProviders.Describe(provider).Name);
        }

        Assert.False(ExecutionProviders.TryParse("rocm", out _));
        Assert.Equal(["cpu", "cuda", "tensorrt", "dml", "coreml", "openvino"], ExecutionProviders.Names);
    }

    [Fact]
    public void A_provider_the_library_lacks_is_refused_with_CB3020_naming_what_it_has_and_the_package_that_brings_it()
    {
        var missing = new[] { ExecutionProvider.Cuda, ExecutionProvider.OpenVino, ExecutionProvider.DirectML }
            .First(p => !OrtRuntime.AvailableProviders.Contains(ExecutionProviders.Describe(p).OrtName));

        var error = Assert.Throws<CompressBuildException>(() => InferenceSession.Create(Mlp, new SessionSettings { ExecutionProvider = missing }));

        Assert.Equal(DiagnosticCodes.ExecutionProviderUnavailable, error.Code);
        Assert.Equal(ExitCodes.EnvironmentProblem, error.Code.ExitCode);
        Assert.Contains("cpu (CPUExecutionProvider)", error.Message, StringComparison.Ordinal);
        Assert.Contains(ExecutionProviders.Describe(missing).Package, error.Message, StringComparison.Ordinal);
        Assert.Contains(OnnxRuntimeLibrary.LoadedPath, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExecutionProvider.Cuda, "Microsoft.ML.OnnxRuntime.Gpu.Linux")]
    [InlineData(ExecutionProvider.TensorRT, "Microsoft.ML.OnnxRuntime.Gpu.Windows")]
    [InlineData(ExecutionProvider.DirectML, "Microsoft.ML.OnnxRuntime.DirectML")]
    [InlineData(ExecutionProvider.OpenVino, "Intel.ML.OnnxRuntime.OpenVino")]
    [InlineData(ExecutionProvider.CoreML, "Microsoft.ML.OnnxRuntime (its macOS library)")]
    public void The_refusal_names_the_package_for_each_provider(ExecutionProvider provider, string package)
    {
        var message = OrtRuntime.ProviderMissingMessage(ExecutionProviders.Describe(provider), ["CPUExecutionProvider", "XnnpackExecutionProvider"], "1.31.1", "/x/libonnxruntime.so");

        Assert.Contains(package, message, StringComparison.Ordinal);
        Assert.Contains("it has: cpu (CPUExecutionProvider), XnnpackExecutionProvider.", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sessions_record_the_provider_they_run_on()
    {
        using var session = InferenceSession.Create(Mlp, new SessionSettings { ExecutionProvider = ExecutionProvider.Cpu });

        Assert.Equal(ExecutionProvider.Cpu, session.ExecutionProvider);
        Assert.EndsWith("(cpu)", InferenceSession.RuntimeDescription, StringComparison.Ordinal);
    }

    [GpuProviderFact]
    public void A_gpu_session_gives_the_cpu_sessions_outputs()
    {
        var provider = GpuProviderFactAttribute.AvailableGpuProvider()!.Value;
        var input = HostTensor.FromArray<float>("input", [1, 64], Enumerable.Range(0, 64).Select(i => (float)(i % 17) / 16).ToArray());
        using var cpu = InferenceSession.Create(Mlp, new SessionSettings { ExecutionProvider = ExecutionProvider.Cpu });
        using var gpu = InferenceSession.Create(Mlp, new SessionSettings { ExecutionProvider = provider });

        var expected = cpu.Run([input])[0].AsSpan<float>().ToArray();
        var actual = gpu.Run([input])[0].AsSpan<float>().ToArray();

        Assert.NotEqual(ExecutionProvider.Cpu, provider);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-3f);
        }
    }
}
