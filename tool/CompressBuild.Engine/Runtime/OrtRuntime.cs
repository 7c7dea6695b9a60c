using CompressBuild.Engine.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace CompressBuild.Engine.Runtime;

/// <summary>
/// The process's ONNX Runtime environment: loads the native library first (so our resolver serves the managed
/// API's DllImports), creates the OrtEnv once with errors-only logging, and answers what the library offers.
/// </summary>
public static class OrtRuntime
{
    private static readonly Lazy<OrtEnv> Shared = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    public static OrtEnv Environment => Shared.Value;

    public static string Version => Environment.GetVersionString();

    /// <summary>The execution providers the loaded native library was built with, as ONNX Runtime names them.</summary>
    public static IReadOnlyList<string> AvailableProviders => Environment.GetAvailableProviders();

    /// <summary>Refuses a provider the loaded library lacks, naming what it has and the package that brings the one asked.</summary>
    public static void RequireProvider(ExecutionProvider provider)
    {
        var info = ExecutionProviders.Describe(provider);
        var available = AvailableProviders;
        if (provider == ExecutionProvider.Cpu || available.Contains(info.OrtName, StringComparer.Ordinal))
        {
            return;
        }

        throw new CompressBuildException(DiagnosticCodes.ExecutionProviderUnavailable, ProviderMissingMessage(info, available, Version, OnnxRuntimeLibrary.LoadedPath));
    }

    /// <summary>The CB3020 text; separate so its wording is testable on a machine whatever its providers.</summary>
    public static string ProviderMissingMessage(ExecutionProviderInfo asked, IReadOnlyList<string> available, string version, string path) =>
        $"execution provider '{asked.Name}' ({asked.OrtName}) is not in the ONNX Runtime {version} library at {path}; it has: " +
        $"{string.Join(", ", available.Select(Describe))}. {asked.Package} brings it: set CompressBuildOnnxRuntimePackage to that package " +
        $"(MSBuild), or point --onnxruntime / {OnnxRuntimeLibrary.EnvironmentVariable} at its {OnnxRuntimeLibrary.LibraryFileName}.";

    private static string Describe(string ortName)
    {
        var known = Enum.GetValues<ExecutionProvider>().Select(ExecutionProviders.Describe).FirstOrDefault(p => p.OrtName == ortName);
        return known is null ? ortName : $"{known.Name} ({ortName})";
    }

    private static OrtEnv Create()
    {
        OnnxRuntimeLibrary.EnsureLoaded();
        var options = new EnvironmentCreationOptions { logId = "CompressBuild", logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        return OrtEnv.CreateInstanceWithOptions(ref options);
    }
}
