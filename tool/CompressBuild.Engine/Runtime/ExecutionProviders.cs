using Microsoft.ML.OnnxRuntime;

namespace CompressBuild.Engine.Runtime;

/// <summary>
/// The one table of execution providers: the name users write (CLI, compress.yaml, MSBuild), the name ONNX Runtime
/// reports in its available-provider list, and the NuGet package whose native library has it.
/// </summary>
public static class ExecutionProviders
{
    private static readonly ExecutionProviderInfo[] Table =
    [
        new(ExecutionProvider.Cpu, "cpu", "CPUExecutionProvider", "Microsoft.ML.OnnxRuntime"),
        new(ExecutionProvider.Cuda, "cuda", "CUDAExecutionProvider",
            "Microsoft.ML.OnnxRuntime.Gpu.Linux (Linux) or Microsoft.ML.OnnxRuntime.Gpu.Windows (Windows), with CUDA 12 and cuDNN 9 installed"),
        new(ExecutionProvider.TensorRT, "tensorrt", "TensorrtExecutionProvider",
            "Microsoft.ML.OnnxRuntime.Gpu.Linux (Linux) or Microsoft.ML.OnnxRuntime.Gpu.Windows (Windows), with CUDA, cuDNN and TensorRT installed"),
        new(ExecutionProvider.DirectML, "dml", "DmlExecutionProvider", "Microsoft.ML.OnnxRuntime.DirectML (Windows)"),
        new(ExecutionProvider.CoreML, "coreml", "CoreMLExecutionProvider", "Microsoft.ML.OnnxRuntime (its macOS library)"),
        new(ExecutionProvider.OpenVino, "openvino", "OpenVINOExecutionProvider", "Intel.ML.OnnxRuntime.OpenVino"),
    ];

    /// <summary>The names accepted on the command line and in compress.yaml, in the table's order.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Select(p => p.Name).ToArray();

    public static ExecutionProviderInfo Describe(ExecutionProvider provider) => Table.Single(p => p.Provider == provider);

    public static bool TryParse(string? name, out ExecutionProvider provider)
    {
        var match = Table.FirstOrDefault(p => string.Equals(p.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));
        provider = match?.Provider ?? ExecutionProvider.Cpu;
        return match is not null;
    }

    /// <summary>Adds the provider to the options (CPU needs nothing: ONNX Runtime always falls back to it).</summary>
    internal static void Append(SessionOptions options, ExecutionProvider provider)
    {
        switch (provider)
        {
            case ExecutionProvider.Cpu:
                break;
            case ExecutionProvider.Cuda:
                options.AppendExecutionProvider_CUDA(0);
                break;
            case ExecutionProvider.TensorRT:
                options.AppendExecutionProvider_Tensorrt(0);
                break;
            case ExecutionProvider.DirectML:
                options.AppendExecutionProvider_DML(0);
                break;
            case ExecutionProvider.CoreML:
                options.AppendExecutionProvider_CoreML();
                break;
            case ExecutionProvider.OpenVino:
                options.AppendExecutionProvider_OpenVINO();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, null);
        }
    }
}
