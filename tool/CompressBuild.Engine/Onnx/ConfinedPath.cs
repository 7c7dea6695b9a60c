using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// Resolves an external data location against the model's folder and refuses any that leads outside it.
/// ONNX loaders that joined the location blindly let a model read arbitrary files (absolute paths, "..",
/// or a symbolic link pointing elsewhere); here each of those is an error, checked after links are followed.
/// </summary>
public static class ConfinedPath
{
    public static string Resolve(string baseDirectory, string location, string modelFile)
    {
        if (location.Length == 0 || location.Contains('\0'))
        {
            throw Refuse(location, modelFile, "it is empty or contains a NUL character");
        }

        if (Path.IsPathRooted(location) || location.StartsWith('/') || location.StartsWith('\\') || (location.Length >= 2 && location[1] == ':'))
        {
            throw Refuse(location, modelFile, "it is an absolute path");
        }

        var segments = location.Split('/', '\\');
        if (segments.Any(s => s == ".."))
        {
            throw Refuse(location, modelFile, "it contains '..'");
        }

        var root = RealPath(Path.GetFullPath(baseDirectory));
        var current = root;
        foreach (var segment in segments)
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            current = RealPath(Path.Combine(current, segment));
            if (!IsInside(root, current))
            {
                throw Refuse(location, modelFile, "a symbolic link in it leads outside the model's folder");
            }
        }

        return current;
    }

    private static CompressBuildException Refuse(string location, string modelFile, string why) =>
        new(DiagnosticCodes.ExternalDataOutsideModelFolder,
            $"external data location '{location}' is refused: {why}. External data must be a file inside the model's folder.",
            modelFile);

    /// <summary>
    /// The path with every symbolic link in it followed, like POSIX realpath, except that components which do
    /// not exist are kept as written (a missing file is reported later, by the reader, with its own code).
    /// </summary>
    private static string RealPath(string path, int depth = 0)
    {
        if (depth > MaxLinkDepth)
        {
            throw new IOException($"Too many levels of symbolic links resolving '{path}'.");
        }

        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var resolved = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                var targetPath = Path.IsPathRooted(target) ? target : Path.Combine(resolved, target);
                next = RealPath(targetPath, depth + 1);
            }

            resolved = next;
        }

        return resolved;
    }

    private const int MaxLinkDepth = 40;

    private static bool IsInside(string root, string candidate)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return candidate.StartsWith(prefix, comparison) || string.Equals(candidate, root, comparison);
    }
}
