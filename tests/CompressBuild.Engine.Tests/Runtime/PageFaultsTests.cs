using System.Runtime.InteropServices;
using CompressBuild.Engine.Runtime;
using Xunit;

namespace CompressBuild.Engine.Tests.Runtime;

public class PageFaultsTests
{
    /// <summary>
    /// 64 MB of fresh native memory, one byte written per 4 kB page: at least one fault per 2 MB page even where the kernel backs the mapping with
    /// transparent huge pages, 16,384 where it does not.
    /// </summary>
    [Fact]
    public void First_writes_to_fresh_memory_are_counted_on_linux()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        const int Bytes = 64 << 20;
        // glibc maps an allocation this large on its own, untouched.
        var memory = Marshal.AllocHGlobal(Bytes);
        try
        {
            var before = PageFaults.Minor();
            for (var offset = 0; offset < Bytes; offset += 4096)
            {
                Marshal.WriteByte(memory, offset, 1);
            }

            var after = PageFaults.Minor();

            Assert.True(before > 0);
            Assert.InRange(after - before, Bytes / (2 << 20), long.MaxValue);
        }
        finally
        {
            Marshal.FreeHGlobal(memory);
        }
    }
}
