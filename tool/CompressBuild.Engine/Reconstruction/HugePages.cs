using System.Runtime.InteropServices;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// Asks Linux to back a large numeric array with 2 MB transparent huge pages (<c>madvise(MADV_HUGEPAGE)</c>: in THP's usual "madvise" mode
/// the kernel gives them only to regions that ask, and the .NET GC does not ask). Every first write to a 4 kB page of a fresh array faults:
/// on this 2-core VM a 66 MB Gram matrix (the recognizer's 2,881-column Conv) took 200-260 ms of faults, against 0.3-104 ms advised. A hint
/// only: the values and the GC's view of the array are unchanged, and where the OS is not Linux or the kernel declines, nothing happens.
/// </summary>
internal static partial class HugePages
{
    /// <summary>Arrays from this size on are advised: below it a few hundred faults cost less than the call.</summary>
    public const long MinBytes = 4L << 20;

    private const long PageBytes = 2L << 20;

    private const int AdviseHugePage = 14;

    private static bool available = OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>Advises the whole 2 MB pages inside <paramref name="array"/>; call it before the array is first written.</summary>
    public static unsafe void Advise<T>(T[] array)
        where T : unmanaged
    {
        var bytes = (long)array.Length * sizeof(T);
        if (!available || bytes < MinBytes)
        {
            return;
        }

        fixed (T* first = array)
        {
            var start = ((nint)first + (nint)(PageBytes - 1)) & ~(nint)(PageBytes - 1);
            var end = ((nint)first + (nint)bytes) & ~(nint)(PageBytes - 1);
            try
            {
                if (end > start)
                {
                    _ = Madvise(start, (nuint)(end - start), AdviseHugePage);
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                available = false;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
