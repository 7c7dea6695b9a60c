namespace CompressBuild.Engine.Runtime;

/// <summary>
/// What the user said about which ONNX Runtime native library to load: an explicit file or folder, or a NuGet
/// package (id and version) in a packages folder. Unset parts take their defaults (see <see cref="OnnxRuntimeLibrary"/>).
/// </summary>
public sealed record OnnxRuntimeLocation
{
    public static OnnxRuntimeLocation Default { get; } = new();

    /// <summary>A library file, or a folder holding it (--onnxruntime, CompressBuildOnnxRuntimePath).</summary>
    public string? ExplicitPath { get; init; }

    /// <summary>The package whose runtimes/&lt;rid&gt;/native/ folder holds the library (CompressBuildOnnxRuntimePackage).</summary>
    public string? Package { get; init; }

    /// <summary>The package's version (CompressBuildOnnxRuntimeVersion).</summary>
    public string? Version { get; init; }

    /// <summary>The NuGet global packages folder (the MSBuild targets pass restore's $(NuGetPackageRoot)).</summary>
    public string? PackagesFolder { get; init; }
}
