using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CompressBuild.Engine.IO;

/// <summary>Windows' counterpart of /proc/self/fd: the final path of an open file, after every link and junction.</summary>
internal static partial class WindowsFiles
{
    private const int MaxPath = 32768;

    public static unsafe string? PathOf(SafeFileHandle handle)
    {
        var buffer = new char[MaxPath];
        uint length;
        fixed (char* start = buffer)
        {
            length = GetFinalPathNameByHandle(handle, start, (uint)buffer.Length, 0);
        }

        if (length == 0 || length >= buffer.Length)
        {
            return null;
        }

        var path = new string(buffer, 0, (int)length);
        return path.StartsWith(@"\\?\UNC\", StringComparison.Ordinal) ? @"\\" + path[8..]
            : path.StartsWith(@"\\?\", StringComparison.Ordinal) ? path[4..]
            : path;
    }

    [LibraryImport("kernel32.dll", EntryPoint = "GetFinalPathNameByHandleW", SetLastError = true)]
    private static unsafe partial uint GetFinalPathNameByHandle(SafeFileHandle file, char* path, uint length, uint flags);
}
