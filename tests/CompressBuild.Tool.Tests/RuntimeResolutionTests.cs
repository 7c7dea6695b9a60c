using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests;

/// <summary>
/// Where the tool finds ONNX Runtime when it has no bundled copy: a Microsoft.ML.OnnxRuntime package in the
/// NuGet global packages folder (newest version first), else CB3001. Runs a copy of the tool without its
/// runtimes/ folder, in a child process, since a process can load the library only once.
/// </summary>
public class RuntimeResolutionTests
{
    private static string BundledLibrary => Path.Combine(AppContext.BaseDirectory, "runtimes", OnnxRuntimeLibrary.RuntimeIdentifier, "native", OnnxRuntimeLibrary.LibraryFileName);

    [Fact]
    public void Without_a_bundled_copy_the_nuget_package_folder_is_used()
    {
        using var temp = new TempFolder();
        var tool = CopyToolWithoutRuntimes(temp.File("tool"));
        var native = Directory.CreateDirectory(temp.File($"packages/microsoft.ml.onnxruntime/1.30.0/runtimes/{OnnxRuntimeLibrary.RuntimeIdentifier}/native"));
        Directory.CreateDirectory(temp.File($"packages/microsoft.ml.onnxruntime/1.2.0-preview/runtimes/{OnnxRuntimeLibrary.RuntimeIdentifier}/native"));
        File.Copy(BundledLibrary, Path.Combine(native.FullName, OnnxRuntimeLibrary.LibraryFileName));

        var run = ToolProcess.Run(tool, ["bench", Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), "--iterations", "2", "--json"], new() { ["NUGET_PACKAGES"] = temp.File("packages") });

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("ONNX Runtime 1.30.0", run.Out, StringComparison.Ordinal);
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
