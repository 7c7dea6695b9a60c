using System.Diagnostics;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests.Repository;

/// <summary>
/// Line rules of the root .editorconfig that no analyzer enforces in the build: at most 200 characters, and no
/// trailing whitespace, in every C# source and MSBuild file the repository tracks (<c>git ls-files</c>).
/// </summary>
public class SourceLineTests
{
    public const int MaxLineLength = 200;

    private static readonly string[] Patterns = ["*.cs", "*.props", "*.targets"];

    [Fact]
    public void No_line_is_longer_than_200_characters()
    {
        var offending = Lines().Where(l => l.Text.Length > MaxLineLength).Select(l => $"{l.File}:{l.Number} ({l.Text.Length})").ToList();

        Assert.True(offending.Count == 0, $"{offending.Count} lines over {MaxLineLength} characters:\n" + string.Join("\n", offending));
    }

    [Fact]
    public void No_line_ends_in_whitespace()
    {
        var offending = Lines().Where(l => l.Text.Length > 0 && char.IsWhiteSpace(l.Text[^1])).Select(l => $"{l.File}:{l.Number}").ToList();

        Assert.True(offending.Count == 0, $"{offending.Count} lines end in whitespace:\n" + string.Join("\n", offending));
    }

    [Fact]
    public void The_scan_sees_the_repositorys_sources()
    {
        var files = TrackedFiles();

        Assert.Contains("Directory.Build.props", files);
        Assert.Contains("tasks/build/CompressBuild.targets", files);
        Assert.Contains("tool/CompressBuild.Tool/Program.cs", files);
        Assert.DoesNotContain(files, f => f.Contains("/obj/", StringComparison.Ordinal) || f.Contains("/bin/", StringComparison.Ordinal));
    }

    private static IEnumerable<(string File, int Number, string Text)> Lines()
    {
        foreach (var file in TrackedFiles())
        {
            // Split on \n only: a \r left at the end of a line is trailing whitespace too.
            var lines = File.ReadAllText(Path.Combine(RepositoryPaths.Root, file)).Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                yield return (file, i + 1, lines[i]);
            }
        }
    }

    private static List<string> TrackedFiles()
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-c", "core.quotepath=off", "ls-files", "-z", "--", .. Patterns])
        {
            start.ArgumentList.Add(argument);
        }

        using var git = Process.Start(start)!;
        var error = git.StandardError.ReadToEndAsync();
        var output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, "git ls-files failed: " + error.Result);
        return [.. output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Where(f => File.Exists(Path.Combine(RepositoryPaths.Root, f)))];
    }
}
