using System.Diagnostics;
using System.Text;

namespace CompressBuild.Testing;

/// <summary>
/// The one way tests and benchmarks start child processes: arguments passed one by one (no shell, no quoting),
/// UTF-8 output read from both streams at once, environment changes, a timeout that kills the whole tree.
/// </summary>
internal static class ChildProcess
{
    /// <summary>
    /// The dotnet host running this process (under <c>dotnet test</c> and <c>dotnet run</c> alike), so children
    /// use the same SDK and runtime as the tests; "dotnet" from PATH when it cannot be told.
    /// </summary>
    public static string Dotnet { get; } = FindDotnet();

    public static ChildRun Run(string executable, IEnumerable<string> arguments, ChildOptions? options = null)
    {
        using var child = Start(executable, arguments, options);
        return child.WaitForExit();
    }

    public static async Task<ChildRun> RunAsync(string executable, IEnumerable<string> arguments, ChildOptions? options = null)
    {
        using var child = Start(executable, arguments, options);
        return await child.Completion.ConfigureAwait(false);
    }

    /// <summary>Starts the child and returns at once: for services that run beside a test, or to watch the child while it runs.</summary>
    public static RunningChild Start(string executable, IEnumerable<string> arguments, ChildOptions? options = null)
    {
        options ??= ChildOptions.Default;
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (options.WorkingDirectory is { } folder)
        {
            start.WorkingDirectory = folder;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in options.Environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return new RunningChild(start, options);
    }

    private static string FindDotnet()
    {
        var processPath = Environment.ProcessPath;
        if (processPath is not null && Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            return processPath;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } fromSdk ? fromSdk : "dotnet";
    }
}
