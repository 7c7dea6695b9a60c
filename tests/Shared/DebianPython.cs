using System.Diagnostics;

namespace CompressBuild.Testing;

/// <summary>
/// Runs a script with Debian's /usr/bin/python3, where tests/test.sh installs the independent validators the tests
/// use (python3-onnx's checker, python3-jsonschema). A pyenv python earlier on PATH would lack them.
/// </summary>
internal static class DebianPython
{
    public const string Executable = "/usr/bin/python3";

    public static (int ExitCode, string Output) Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
