using System.Text;
using CompressBuild.Engine.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace CompressBuild.Engine.IO;

/// <summary>
/// Opens the files a command reads (model, config, data, labels, baseline) so that hostile ones cannot hang or
/// exhaust it: a FIFO or device (/dev/zero, a named pipe) is refused with CB2017 instead of being read forever,
/// the open itself never blocks, and whole-file reads stop at a stated limit instead of trusting the length.
/// </summary>
public static class InputFile
{
    public static FileStream OpenRead(string path, int bufferSize = 1 << 16, string? displayName = null)
    {
        var handle = OpenHandle(path, followLast: true);
        try
        {
            RequireRegular(handle, displayName ?? path);
            return new FileStream(handle, FileAccess.Read, bufferSize);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads at most <paramref name="maxBytes"/>; a longer file is refused with <paramref name="tooLarge"/>, having read no more than that.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes, DiagnosticCode tooLarge, string? displayName = null)
    {
        using var stream = OpenRead(path, bufferSize: 1, displayName);
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new CompressBuildException(tooLarge, $"the file is larger than {maxBytes} bytes, the most this file may hold.", displayName ?? path);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    public static string ReadAllText(string path, long maxBytes, DiagnosticCode tooLarge, string? displayName = null)
    {
        var bytes = ReadAllBytes(path, maxBytes, tooLarge, displayName);
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    internal static SafeFileHandle OpenHandle(string path, bool followLast)
    {
        if (LinuxFiles.IsSupported)
        {
            if (LinuxFiles.OpenRead(path, followLast, out var error) is { } handle)
            {
                return handle;
            }

            if (error == LinuxFiles.LinkRefused && !followLast)
            {
                throw new IOException($"'{path}' is a symbolic link, which is not followed here.");
            }
        }

        // Not Linux, or the open failed: .NET's own open raises the usual exception (not found, access denied).
        return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
    }

    internal static void RequireRegular(SafeFileHandle handle, string displayName, string what = "it")
    {
        if (LinuxFiles.IsSupported && !LinuxFiles.IsRegular(handle))
        {
            throw new CompressBuildException(DiagnosticCodes.InputNotRegularFile,
                $"{what} is not a regular file (a device, FIFO, socket or folder); give a file.", displayName);
        }
    }
}
