using System.Reflection;
using System.Runtime.InteropServices;
using CompressBuild.Engine.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using NuGet.Configuration;

namespace CompressBuild.Engine.Runtime;

/// <summary>
/// Finds and loads the ONNX Runtime native library for <c>Microsoft.ML.OnnxRuntime</c>'s managed API, through a
/// DllImport resolver on that assembly (installed before its first call). Order: an explicit path
/// (<see cref="Configure(OnnxRuntimeLocation)"/>), the <c>COMPRESSBUILD_ONNXRUNTIME</c> variable (a file or a folder); then
/// a package and version in the NuGet global packages folder (where the CompressBuild package's restore brings it: its
/// engine ships no native code) and a copy beside our assemblies (runtimes/&lt;rid&gt;/native/, where the global tool's
/// Microsoft.ML.OnnxRuntime reference puts it). The package comes first when one was chosen (options or the
/// <c>COMPRESSBUILD_ONNXRUNTIME_PACKAGE|VERSION|PACKAGES</c> variables the MSBuild task sets), last otherwise.
/// </summary>
public static class OnnxRuntimeLibrary
{
    public const string EnvironmentVariable = "COMPRESSBUILD_ONNXRUNTIME";
    public const string PackageEnvironmentVariable = "COMPRESSBUILD_ONNXRUNTIME_PACKAGE";
    public const string VersionEnvironmentVariable = "COMPRESSBUILD_ONNXRUNTIME_VERSION";
    public const string PackagesFolderEnvironmentVariable = "COMPRESSBUILD_ONNXRUNTIME_PACKAGES";
    public const string DefaultPackage = "Microsoft.ML.OnnxRuntime";
    private const string NativeName = "onnxruntime";

    private static readonly Lock Gate = new();
    private static OnnxRuntimeLocation location = OnnxRuntimeLocation.Default;
    private static (nint Handle, string Path)? loaded;
    private static bool resolverInstalled;

    /// <summary>The version of the managed API we compile against; the native library must be at least this.</summary>
    public static string ManagedVersion { get; } = ReadManagedVersion();

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

    /// <summary>The loaded library's path (loads it when not yet loaded).</summary>
    public static string LoadedPath => EnsureLoaded();

    /// <summary>Uses this library file (or a folder holding it) instead of searching. Call before the first session.</summary>
    public static void Configure(string? path) => Configure(OnnxRuntimeLocation.Default with { ExplicitPath = path });

    /// <summary>Sets where the library comes from. Call before the first session; a later different choice is refused.</summary>
    public static void Configure(OnnxRuntimeLocation where)
    {
        lock (Gate)
        {
            if (loaded is not null && where.ExplicitPath is { } path && !string.Equals(FileIn(path), loaded.Value.Path, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"ONNX Runtime is already loaded from {loaded.Value.Path}.");
            }

            location = where;
        }
    }

    /// <summary>
    /// The files tried, in order, for a location. Pure: the environment, our folder and the packages-folder lookup
    /// are parameters, so the order is testable without loading anything.
    /// </summary>
    public static IReadOnlyList<string> Candidates(OnnxRuntimeLocation where, Func<string, string?> environment, string baseDirectory, Func<string?> defaultPackagesFolder)
    {
        if (where.ExplicitPath is { Length: > 0 } explicitPath)
        {
            return [FileIn(explicitPath)];
        }

        if (environment(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return [FileIn(fromEnvironment)];
        }

        var package = where.Package is { Length: > 0 } p ? p : environment(PackageEnvironmentVariable);
        var version = where.Version is { Length: > 0 } v ? v : environment(VersionEnvironmentVariable);
        var folder = where.PackagesFolder is { Length: > 0 } f ? f : environment(PackagesFolderEnvironmentVariable);
        var fromPackage = PackageLibraryPath(
            folder is { Length: > 0 } ? folder : defaultPackagesFolder() ?? "",
            package is { Length: > 0 } ? package : DefaultPackage,
            version is { Length: > 0 } ? version : ManagedVersion);
        var bundled = new[]
        {
            Path.Combine(baseDirectory, "runtimes", RuntimeIdentifier, "native", LibraryFileName),
            Path.Combine(baseDirectory, LibraryFileName),
        };

        // A package chosen on purpose (the MSBuild targets always choose) wins over the copy beside us; by default
        // the global tool's own copy serves, and the packages folder is the fallback.
        var chosen = package is { Length: > 0 } || version is { Length: > 0 } || folder is { Length: > 0 };
        return chosen ? [fromPackage, .. bundled] : [.. bundled, fromPackage];
    }

    /// <summary>Where restore puts a package's native library: &lt;root&gt;/&lt;id&gt;/&lt;version&gt;/runtimes/&lt;rid&gt;/native/ (id and version lower case).</summary>
    public static string PackageLibraryPath(string packagesFolder, string package, string version) =>
        Path.Combine(packagesFolder, package.ToLowerInvariant(), version.ToLowerInvariant(), "runtimes", RuntimeIdentifier, "native", LibraryFileName);

    /// <summary>NuGet's own rule, as restore applies it: NUGET_PACKAGES, else nuget.config's globalPackagesFolder, else ~/.nuget/packages.</summary>
    public static string? DefaultPackagesFolder()
    {
        try
        {
            return SettingsUtility.GetGlobalPackagesFolder(Settings.LoadDefaultSettings(Directory.GetCurrentDirectory()));
        }
        catch (Exception e) when (e is NuGetConfigurationException or IOException or UnauthorizedAccessException)
        {
            // An unreadable nuget.config must not hide a library found by the other routes.
            var fromEnvironment = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
            return string.IsNullOrEmpty(fromEnvironment)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages")
                : fromEnvironment;
        }
    }

    /// <summary>Loads the library (once) and routes Microsoft.ML.OnnxRuntime's DllImports to it; returns its path.</summary>
    internal static string EnsureLoaded()
    {
        lock (Gate)
        {
            if (loaded is { } done)
            {
                return done.Path;
            }

            var candidates = Candidates(location, Environment.GetEnvironmentVariable, AppContext.BaseDirectory, DefaultPackagesFolder);
            foreach (var candidate in candidates)
            {
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
                {
                    CheckVersion(handle, candidate);
                    loaded = (handle, Path.GetFullPath(candidate));
                    InstallResolver();
                    return loaded.Value.Path;
                }
            }

            throw new CompressBuildException(DiagnosticCodes.RuntimeNotFound,
                "the ONNX Runtime native library was not found. Looked in: " + string.Join(", ", candidates) +
                $". Restore the project (the CompressBuild package downloads {DefaultPackage} into the NuGet packages folder), " +
                $"or set {EnvironmentVariable} (or --onnxruntime) to the path of {LibraryFileName}.");
        }
    }

    private static void InstallResolver()
    {
        if (resolverInstalled)
        {
            return;
        }

        // ORT's own resolver would look only beside its assembly; ours hands it the library chosen above.
        OrtEnv.DisableDllImportResolver = true;
        NativeLibrary.SetDllImportResolver(typeof(OrtEnv).Assembly, Resolve);
        resolverInstalled = true;
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == NativeName && loaded is { } library ? library.Handle : 0;

    /// <summary>The managed API asks the library for its own API version; an older library would fail there with a vague message.</summary>
    private static unsafe void CheckVersion(nint handle, string path)
    {
        if (!NativeLibrary.TryGetExport(handle, "OrtGetApiBase", out var getApiBase))
        {
            throw new CompressBuildException(DiagnosticCodes.RuntimeNotFound, $"{path} is not an ONNX Runtime library (it has no OrtGetApiBase).");
        }

        // OrtApiBase is { GetApi, GetVersionString }: the one layout every ONNX Runtime release keeps.
        var apiBase = ((delegate* unmanaged<nint*>)getApiBase)();
        var version = Marshal.PtrToStringUTF8(((delegate* unmanaged<nint>)apiBase[1])()) ?? "unknown";
        if (System.Version.TryParse(version, out var native) && System.Version.TryParse(ManagedVersion, out var managed) &&
            new System.Version(native.Major, native.Minor) < new System.Version(managed.Major, managed.Minor))
        {
            throw new CompressBuildException(DiagnosticCodes.RuntimeNotFound,
                $"ONNX Runtime {version} at {path} is too old: CompressBuild uses the {ManagedVersion} API. Set CompressBuildOnnxRuntimeVersion (or {VersionEnvironmentVariable}) to " +
                    $"{ManagedVersion} or newer.");
        }
    }

    private static string FileIn(string path) => Directory.Exists(path) ? Path.Combine(Path.GetFullPath(path), LibraryFileName) : Path.GetFullPath(path);

    private static string ReadManagedVersion()
    {
        var informational = typeof(OrtEnv).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational?.Split('+')[0] ?? typeof(OrtEnv).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    }
}
