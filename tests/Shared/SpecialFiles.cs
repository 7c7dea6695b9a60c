namespace CompressBuild.Testing;

/// <summary>The special files hostile cases are made of (FIFOs and, as root, device nodes) and what stat(1) calls a file.</summary>
internal static class SpecialFiles
{
    public static void Mkfifo(string path) => Run("mkfifo", path);

    /// <summary>Makes a character device like /dev/null at <paramref name="path"/>; false where that needs privileges this user lacks.</summary>
    public static bool TryMknodNull(string path)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return false;
        }

        Run("mknod", path, "c", "1", "3");
        return true;
    }

    /// <summary>
    /// stat(1)'s name for the kind of file (links not followed): "regular file", "regular empty file", "fifo",
    /// "character special file", "directory", "symbolic link"; empty when it cannot tell. .NET does not expose the st_mode type bits.
    /// </summary>
    public static string Kind(string path) => ChildProcess.Run("stat", ["-c", "%F", path]).StandardOutput.Trim();

    private static void Run(string tool, params string[] args) => ChildProcess.Run(tool, args).Succeeded();
}
