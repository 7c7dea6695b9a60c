using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CompressBuild.Engine.IO;

/// <summary>
/// The few Linux calls .NET does not expose: open without following a final symbolic link and without blocking
/// on a FIFO, the file type of an open handle or a path (statx has one layout on every architecture), and a
/// hard link that never replaces.
/// </summary>
internal static partial class LinuxFiles
{
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const int StatxBufferBytes = 256;
    private const int ModeOffset = 28;
    private const int TypeMask = 0xF000;
    private const int RegularType = 0x8000;

    private const int ReadOnly = 0;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;

    // O_NOFOLLOW is the one flag whose value differs between the architectures .NET runs on.
    private static int NoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    public static bool IsSupported => OperatingSystem.IsLinux();

    public const int LinkRefused = 40;

    /// <summary>EEXIST: the name is taken (the same number on every Linux architecture).</summary>
    public const int AlreadyExists = 17;

    /// <summary>Opens for reading without blocking on a FIFO; with <paramref name="followLast"/> false a symbolic link as the last component is refused.</summary>
    /// <returns>The handle, or null with the OS error number when the open failed (<see cref="LinkRefused"/> for a link).</returns>
    public static SafeFileHandle? OpenRead(string path, bool followLast, out int error)
    {
        var fd = Open(path, ReadOnly | (followLast ? 0 : NoFollow) | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            error = Marshal.GetLastPInvokeError();
            return null;
        }

        error = 0;
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>The path the kernel holds for an open file (after every link), read from /proc/self/fd.</summary>
    public static string? PathOf(SafeFileHandle handle) =>
        new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget;

    public static bool IsRegular(SafeFileHandle handle)
    {
        var buffer = new byte[StatxBufferBytes];
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return Statx((int)handle.DangerousGetHandle(), "", AtEmptyPath, StatxType, buffer) == 0 && TypeOf(buffer) == RegularType;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Whether an existing path (links followed) is a regular file; null when it cannot be examined.</summary>
    public static bool? IsRegular(string path)
    {
        var buffer = new byte[StatxBufferBytes];
        return Statx(AtFdCwd, path, 0, StatxType, buffer) == 0 ? TypeOf(buffer) == RegularType : null;
    }

    /// <summary>Gives an existing file a second name, only where nothing has that name: link(2) checks and creates in one step.</summary>
    /// <returns>0, or the OS error number (<see cref="AlreadyExists"/> when the name is taken).</returns>
    public static int Link(string existing, string newName) => LinkCall(existing, newName) == 0 ? 0 : Marshal.GetLastPInvokeError();

    private static int TypeOf(byte[] statx) => BitConverter.ToUInt16(statx, ModeOffset) & TypeMask;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkCall(string existing, string newName);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, [Out] byte[] buffer);
}
