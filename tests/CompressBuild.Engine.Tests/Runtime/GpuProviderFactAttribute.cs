using CompressBuild.Engine.Runtime;
using Xunit;

namespace CompressBuild.Engine.Tests.Runtime;

/// <summary>
/// A fact that needs a GPU execution provider (CUDA, TensorRT, DirectML or CoreML) in the loaded ONNX Runtime library;
/// skipped, with the providers the library has, otherwise (the test library is Microsoft.ML.OnnxRuntime's CPU build
/// unless COMPRESSBUILD_ONNXRUNTIME points at another, e.g. Microsoft.ML.OnnxRuntime.Gpu.Linux's).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class GpuProviderFactAttribute : FactAttribute
{
    public GpuProviderFactAttribute()
    {
        if (AvailableGpuProvider() is null)
        {
            Skip = $"no GPU execution provider in ONNX Runtime {OrtRuntime.Version} ({string.Join(", ", OrtRuntime.AvailableProviders)}); " +
                $"set {OnnxRuntimeLibrary.EnvironmentVariable} to a GPU build's library (Microsoft.ML.OnnxRuntime.Gpu.Linux) on a machine with a GPU";
        }
    }

    public static ExecutionProvider? AvailableGpuProvider()
    {
        var available = OrtRuntime.AvailableProviders;
        foreach (var provider in new[] { ExecutionProvider.Cuda, ExecutionProvider.DirectML, ExecutionProvider.CoreML, ExecutionProvider.TensorRT })
        {
            if (available.Contains(ExecutionProviders.Describe(provider).OrtName, StringComparer.Ordinal))
            {
                return provider;
            }
        }

        return null;
    }
}
