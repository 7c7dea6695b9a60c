using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;
using Microsoft.Win32.SafeHandles;

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

    /// <summary>
    /// Opens an external data file once and returns the only handle it may be read through. The location is
    /// resolved and checked as <see cref="Resolve"/> does; then the file is opened without following a link in
    /// its last component, and the opened file's real path (from /proc/self/fd on Linux, GetFinalPathNameByHandle
    /// on Windows) is checked again, so a file swapped for a link between the check and the open is refused
    /// instead of read.
    /// </summary>
    /// <returns>The open file, or null when it does not exist.</returns>
    public static FileStream? OpenRead(string baseDirectory, string location, string modelFile)
    {
        var path = Resolve(baseDirectory, location, modelFile);
        if (!Path.Exists(path))
        {
            return null;
        }

        var root = RealPath(Path.GetFullPath(baseDirectory));
        SafeFileHandle handle;
        try
        {
            handle = InputFile.OpenHandle(path, followLast: false);
        }
        catch (IOException) when (!Path.Exists(path))
        {
            return null;
        }
        catch (IOException)
        {
            // ELOOP: the last component became a symbolic link after it was checked.
            throw Refuse(location, modelFile, "it is a symbolic link that changed while it was being opened");
        }

        try
        {
            var opened = LinuxFiles.IsSupported ? LinuxFiles.PathOf(handle)
                : OperatingSystem.IsWindows() ? WindowsFiles.PathOf(handle)
                : RealPath(path);
            if (opened is null || !IsInside(root, opened))
            {
                throw Refuse(location, modelFile, "the file opened lies outside the model's folder");
            }

            InputFile.RequireRegular(handle, modelFile, $"external data location '{location}'");
            return new FileStream(handle, FileAccess.Read, bufferSize: 1);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static CompressBuildException Refuse(string location, string modelFile, string why) =>
        new(DiagnosticCodes.ExternalDataOutsideModelFolder,
            $"external data location '{location}' is refused: {why}. External data must be a file inside the model's folder.",
            modelFile);

    private static string RealPath(string path) => IO.RealPath.Of(path);

    private static bool IsInside(string root, string candidate) => IO.RealPath.IsInside(root, candidate);
}
