using System.Diagnostics;

namespace CompressBuild.Fuzz.Tests;

/// <summary>The special files hostile cases are made of: FIFOs and (as root) device nodes.</summary>
internal static class Unix
{
    public static void Mkfifo(string path) => Run("mkfifo", path);

    public static bool TryMknodNull(string path)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return false;
        }

        Run("mknod", path, "c", "1", "3");
        return true;
    }

    private static void Run(string tool, params string[] args)
    {
        using var process = Process.Start(tool, args);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed with exit code {process.ExitCode}.");
        }
    }
}
