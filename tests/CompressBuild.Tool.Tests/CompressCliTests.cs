using System.CommandLine;
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
        // Every command the CLI registers, and every sub-command of those (cache stats|prune|clear), read from the
        // command tree itself, so a command added later is checked without editing this test.
        var root = CompressCli.Build(new CliContext(TextWriter.Null, TextWriter.Null));
        var groups = new List<(string[] Path, Command Command)> { ([], root) };
        groups.AddRange(root.Subcommands.Where(c => c.Subcommands.Count > 0).Select(c => (new[] { c.Name }, c)));

        Assert.True(root.Subcommands.Count > 1, "the command tree has no commands");
        foreach (var (path, command) in groups)
        {
            var run = CliRun.Of([.. path, "--help"]);

            Assert.Equal(ExitCodes.Ok, run.ExitCode);
            var registered = command.Subcommands.Where(c => !c.Hidden).ToList();
            var listed = ListedCommands(run.Out);
            Assert.Equal(registered.Select(c => c.Name), listed.Keys);
            foreach (var sub in registered)
            {
                Assert.False(string.IsNullOrWhiteSpace(sub.Description), $"{sub.Name} has no description");
                Assert.Contains(sub.Description!.Split('.')[0], listed[sub.Name], StringComparison.Ordinal);
            }
        }
    }

    /// <summary>The "Commands:" section of a help text: each command's name and the text of its line, in order.</summary>
    private static Dictionary<string, string> ListedCommands(string help)
    {
        var lines = help.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var start = lines.IndexOf("Commands:");
        Assert.True(start >= 0, help);
        var listed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(start + 1).TakeWhile(l => l.Length > 0).Where(l => l.StartsWith("  ", StringComparison.Ordinal) && l[2] != ' '))
        {
            var text = line.Trim();
            listed.Add(text.Split(' ')[0], text);
        }

        return listed;
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
