using System.Runtime.InteropServices;
using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Runtime;

/// <summary>
/// Finds and loads the ONNX Runtime native library. Order: an explicit path (<see cref="Configure"/>), the
/// <c>COMPRESSBUILD_ONNXRUNTIME</c> variable (a file or a folder), the copy bundled beside our assemblies under
/// runtimes/&lt;rid&gt;/native/, then a Microsoft.ML.OnnxRuntime package in the NuGet global packages folder.
/// </summary>
public static class OnnxRuntimeLibrary
{
    public const string EnvironmentVariable = "COMPRESSBUILD_ONNXRUNTIME";

    private static readonly Lock Gate = new();
    private static string? explicitPath;
    private static (nint Handle, string Path)? loaded;

    /// <summary>Uses this library file (or a folder holding it) instead of searching. Call before the first session.</summary>
    public static void Configure(string? path)
    {
        lock (Gate)
        {
            if (loaded is not null && path is not null && !string.Equals(Path.GetFullPath(path), loaded.Value.Path, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"ONNX Runtime is already loaded from {loaded.Value.Path}.");
            }

            explicitPath = path;
        }
    }

    internal static (nint Handle, string Path) Load()
    {
        lock (Gate)
        {
            if (loaded is { } done)
            {
                return done;
            }

            var tried = new List<string>();
            foreach (var candidate in Candidates())
            {
                tried.Add(candidate);
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
                {
                    loaded = (handle, Path.GetFullPath(candidate));
                    return loaded.Value;
                }
            }

            throw new CompressBuildException(DiagnosticCodes.RuntimeNotFound,
                "the ONNX Runtime native library was not found. Looked in: " + string.Join(", ", tried) +
                $". Rebuild the tool so its bundled copy is restored, or set {EnvironmentVariable} to the path of {LibraryFileName}.");
        }
    }

    public static string LibraryFileName =>
        OperatingSystem.IsWindows() ? "onnxruntime.dll" : OperatingSystem.IsMacOS() ? "libonnxruntime.dylib" : "libonnxruntime.so";

    public static string RuntimeIdentifier
    {
        get
        {
            var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            var arch = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => "x64",
                Architecture.Arm64 => "arm64",
                Architecture.X86 => "x86",
                var other => other.ToString().ToLowerInvariant(),
            };
            return $"{os}-{arch}";
        }
    }

    private static IEnumerable<string> Candidates()
    {
        if (explicitPath is not null)
        {
            yield return FileIn(explicitPath);
            yield break;
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            yield return FileIn(fromEnvironment);
            yield break;
        }

        var baseDirectory = AppContext.BaseDirectory;
        yield return Path.Combine(baseDirectory, "runtimes", RuntimeIdentifier, "native", LibraryFileName);
        yield return Path.Combine(baseDirectory, LibraryFileName);

        foreach (var fromNuGet in NuGetPackageCandidates())
        {
            yield return fromNuGet;
        }
    }

    private static string FileIn(string path) => Directory.Exists(path) ? Path.Combine(path, LibraryFileName) : Path.GetFullPath(path);

    private static IEnumerable<string> NuGetPackageCandidates()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(root))
        {
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }

        var package = Path.Combine(root, "microsoft.ml.onnxruntime");
        if (!Directory.Exists(package))
        {
            yield break;
        }

        // Newest first: slots are append-only, so the newest copy serves every API version we ask for.
        var versions = Directory.GetDirectories(package)
            .Select(d => (Dir: d, Version: Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : new Version(0, 0)))
            .OrderByDescending(v => v.Version);
        foreach (var (dir, _) in versions)
        {
            yield return Path.Combine(dir, "runtimes", RuntimeIdentifier, "native", LibraryFileName);
        }
    }
}
