using System.Text.Json;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests;

public class CompressCliTests
{
    [Fact]
    public void An_unknown_option_is_a_usage_error_with_exit_4()
    {
        var run = CliRun.Of("inspect", "model.onnx", "--no-such-option");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("CB2012", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Fact]
    public void Help_lists_every_command()
    {
        var run = CliRun.Of("--help");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("inspect", run.Out, StringComparison.Ordinal);
        Assert.Contains("convert", run.Out, StringComparison.Ordinal);
        Assert.Contains("bench", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void With_json_an_error_is_json_on_stdout_and_a_line_on_stderr()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("bad.onnx"), "not a model");

        var run = CliRun.Of("inspect", temp.File("bad.onnx"), "--json");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal("CB2002", json.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(temp.File("bad.onnx"), json.RootElement.GetProperty("error").GetProperty("file").GetString());
        Assert.StartsWith(temp.File("bad.onnx") + ": error CB2002: ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_runtime_library_is_an_environment_problem_with_exit_3()
    {
        using var temp = new TempFolder();

        // Runs in a child process: once a process has loaded ONNX Runtime it cannot unload it.
        var result = ToolProcess.Run(["bench", Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), "--onnxruntime", temp.File("libonnxruntime.so")]);

        Assert.Equal(ExitCodes.EnvironmentProblem, result.ExitCode);
        Assert.Contains("error CB3001", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_environment_variable_points_at_the_runtime()
    {
        var bundled = Path.Combine(AppContext.BaseDirectory, "runtimes", Engine.Runtime.OnnxRuntimeLibrary.RuntimeIdentifier, "native", Engine.Runtime.OnnxRuntimeLibrary.LibraryFileName);

        var result = ToolProcess.Run(["bench", Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), "--iterations", "3", "--json"],
            new() { ["COMPRESSBUILD_ONNXRUNTIME"] = Path.GetDirectoryName(bundled)! });

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains($"\"runtime\": \"ONNX Runtime {Engine.Runtime.OnnxRuntimeLibrary.ManagedVersion} (cpu)\"", result.Out, StringComparison.Ordinal);
    }
}
