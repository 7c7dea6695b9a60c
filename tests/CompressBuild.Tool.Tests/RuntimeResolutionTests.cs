using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests;

/// <summary>
/// Where the tool finds ONNX Runtime when it has no copy beside it (the engine inside the CompressBuild package): the
/// chosen package and version in the NuGet global packages folder (Microsoft.ML.OnnxRuntime at the managed API's
/// version by default), else CB3001. Runs a copy of the tool without its runtimes/ folder, in a child process, since
/// a process can load the library only once.
/// </summary>
public class RuntimeResolutionTests
{
    private static string BundledLibrary => Path.Combine(AppContext.BaseDirectory, "runtimes", OnnxRuntimeLibrary.RuntimeIdentifier, "native", OnnxRuntimeLibrary.LibraryFileName);

    [Fact]
    public void Without_a_bundled_copy_the_default_package_in_the_nuget_packages_folder_is_used()
    {
        using var temp = new TempFolder();
        var tool = CopyToolWithoutRuntimes(temp.File("tool"));
        var native = Directory.CreateDirectory(Path.GetDirectoryName(OnnxRuntimeLibrary.PackageLibraryPath(temp.File("packages"), OnnxRuntimeLibrary.DefaultPackage,
            OnnxRuntimeLibrary.ManagedVersion))!);
        File.Copy(BundledLibrary, Path.Combine(native.FullName, OnnxRuntimeLibrary.LibraryFileName));

        var run = ToolProcess.Run(tool, ["bench", Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), "--iterations", "2", "--json"], new() { ["NUGET_PACKAGES"] = temp.File("packages") });

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains($"ONNX Runtime {OnnxRuntimeLibrary.ManagedVersion}", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void The_package_and_version_the_msbuild_task_names_are_loaded_from_its_packages_folder()
    {
        using var temp = new TempFolder();
        var tool = CopyToolWithoutRuntimes(temp.File("tool"));
        var native = Directory.CreateDirectory(Path.GetDirectoryName(OnnxRuntimeLibrary.PackageLibraryPath(temp.File("restored"), "Microsoft.ML.OnnxRuntime.Gpu.Linux", "1.31.0"))!);
        File.Copy(BundledLibrary, Path.Combine(native.FullName, OnnxRuntimeLibrary.LibraryFileName));

        var run = ToolProcess.Run(tool, ["bench", Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), "--iterations", "2", "--execution-provider", "cuda"], new()
        {
            [OnnxRuntimeLibrary.PackageEnvironmentVariable] = "Microsoft.ML.OnnxRuntime.Gpu.Linux",
            [OnnxRuntimeLibrary.VersionEnvironmentVariable] = "1.31.0",
            [OnnxRuntimeLibrary.PackagesFolderEnvironmentVariable] = temp.File("restored"),
        });

        // The CPU library stands in for the GPU package's: it loads from the named folder, then lacks CUDA.
        Assert.Equal(ExitCodes.EnvironmentProblem, run.ExitCode);
        Assert.Contains("error CB3020", run.Error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(temp.File("restored"), "microsoft.ml.onnxruntime.gpu.linux", "1.31.0"), run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void With_no_library_anywhere_the_error_says_where_it_looked_and_how_to_fix_it()
    {
        using var temp = new TempFolder();
        var tool = CopyToolWithoutRuntimes(temp.File("tool"));

        var run = ToolProcess.Run(tool, ["bench", Path.Combine(RepositoryPaths.Digits, "mlp.onnx")], new() { ["NUGET_PACKAGES"] = temp.File("empty") });

        Assert.Equal(ExitCodes.EnvironmentProblem, run.ExitCode);
        Assert.Contains("error CB3001", run.Error, StringComparison.Ordinal);
        Assert.Contains(OnnxRuntimeLibrary.EnvironmentVariable, run.Error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(tool, "runtimes"), run.Error, StringComparison.Ordinal);
    }

    private static string CopyToolWithoutRuntimes(string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(AppContext.BaseDirectory))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        return destination;
    }
}
