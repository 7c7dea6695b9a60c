using System.Security.Cryptography;
using CompressBuild.Testing;

namespace CompressBuild.Fuzz.Tests;

/// <summary>Every entry under a folder (links not followed) with its kind and, for regular files, a SHA-256.</summary>
internal static class FileSnapshot
{
    public static Dictionary<string, string> Of(string folder)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Walk(folder))
        {
            result[path] = Describe(path);
        }

        return result;
    }

    public static string Describe(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
        {
            return "link:" + target;
        }

        if (Directory.Exists(path))
        {
            return "dir";
        }

        return IsRegular(path) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) : "special";
    }

    public static IEnumerable<string> Walk(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = true };
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder, "*", options))
        {
            yield return entry;
            if (Directory.Exists(entry) && new DirectoryInfo(entry).LinkTarget is null)
            {
                foreach (var inner in Walk(entry))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>A regular file: not a link, folder, FIFO or device (a FIFO would block a read forever).</summary>
    public static bool IsRegular(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.LinkTarget is not null)
        {
            return false;
        }

        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        // Regular files are the only entries whose "st_mode" type bits are 0x8000; .NET does not expose them,
        // but a FIFO or device reports no length and cannot be opened without risk, so ask stat(1) only for those.
        return info.Length > 0 || SpecialFiles.Kind(path) is "regular empty file" or "regular file";
    }
}
