namespace CompressBuild.Engine.IO;

/// <summary>
/// A path with every symbolic link in it followed, like POSIX realpath, except that components which do not
/// exist are kept as written (a missing file is reported later, by its reader, with its own code).
/// </summary>
public static class RealPath
{
    private const int MaxLinkDepth = 40;

    public static StringComparison Comparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public static string Of(string path) => Of(path, 0);

    public static bool AreSame(string a, string b) => string.Equals(Of(a), Of(b), Comparison);

    public static bool IsInside(string root, string candidate)
    {
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return candidate.StartsWith(prefix, Comparison) || string.Equals(candidate, root, Comparison);
    }

    private static string Of(string path, int depth)
    {
        if (depth > MaxLinkDepth)
        {
            throw new IOException($"Too many levels of symbolic links resolving '{path}'.");
        }

        // Components are walked as the kernel walks them: ".." goes to the parent of what a link resolved to,
        // not to the parent of the link's name (Path.GetFullPath would collapse "link/.." lexically).
        var absolute = Path.IsPathRooted(path) ? path : Path.Combine(Directory.GetCurrentDirectory(), path);
        var root = Path.GetPathRoot(Path.GetFullPath(absolute))!;
        var resolved = root;
        foreach (var part in absolute[Path.GetPathRoot(absolute)!.Length..].Split(['/', Path.DirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? root;
                continue;
            }

            var next = Path.Combine(resolved, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                var targetPath = Path.IsPathRooted(target) ? target : Path.Combine(resolved, target);
                next = Of(targetPath, depth + 1);
            }

            resolved = next;
        }

        return resolved;
    }
}
