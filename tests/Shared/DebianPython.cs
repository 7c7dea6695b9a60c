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
        var run = ChildProcess.Run(Executable, ["-c", script, .. arguments]);
        return (run.ExitCode, run.StandardOutput + run.StandardError);
    }
}
