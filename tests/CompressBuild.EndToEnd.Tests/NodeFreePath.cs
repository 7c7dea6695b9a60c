namespace CompressBuild.EndToEnd.Tests;

/// <summary>
/// A PATH without Node.js: one folder of symbolic links to every executable of the given PATH (first one of a name
/// wins, as a shell resolves it) except node, nodejs, npm, npx and corepack. Builds run with it prove that nothing
/// in the build, the engine or the tests' runtime path needs Node.js.
/// </summary>
public static class NodeFreePath
{
    public static readonly IReadOnlySet<string> Left = new HashSet<string>(StringComparer.Ordinal) { "node", "nodejs", "npm", "npx", "corepack" };

    public static string Create(string folder, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // No symbolic links without privileges there; the end-to-end tests run on Linux and macOS.
            return path;
        }

        Directory.CreateDirectory(folder);
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFileSystemEntries(directory))
            {
                var name = Path.GetFileName(file);
                var link = Path.Combine(folder, name);
                if (Left.Contains(name) || File.Exists(link) || Directory.Exists(link))
                {
                    continue;
                }

                try
                {
                    File.CreateSymbolicLink(link, file);
                }
                catch (IOException)
                {
                    // An earlier PATH entry's broken link holds the name: a shell would not find this one either.
                }
            }
        }

        return folder;
    }

    /// <summary>Where a command resolves on a PATH, as a shell would find it; null when it does not.</summary>
    public static string? Resolve(string command, string path) =>
        path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, command))
            .FirstOrDefault(File.Exists);
}
