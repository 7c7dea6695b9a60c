using System.Globalization;
using System.Runtime.InteropServices;
using CompressBuild.Engine.Reconstruction;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

/// <summary>
/// A large array advised with <see cref="HugePages"/> is backed by transparent huge pages once written, where Linux offers them to regions that
/// ask (THP "madvise" or "always"); the kernel's own accounting (<c>/proc/self/smaps</c>, AnonHugePages of the array's mapping) is the evidence.
/// </summary>
public class HugePagesTests
{
    [Fact]
    public void An_advised_64_MB_array_is_backed_by_huge_pages_where_the_kernel_offers_them()
    {
        var mode = File.Exists(ModeFile) ? File.ReadAllText(ModeFile) : "";
        if (!OperatingSystem.IsLinux() || mode.Contains("[never]", StringComparison.Ordinal) || mode.Length == 0)
        {
            return;
        }

        var values = new double[8 << 20];
        HugePages.Advise(values);
        for (var i = 0; i < values.Length; i += 512)
        {
            values[i] = i;
        }

        var kilobytes = HugeKilobytes(values);
        Assert.True(kilobytes >= 32 << 10, $"{kilobytes} kB of the 64 MB array are on huge pages (THP: {mode.Trim()})");
        Assert.Equal(512.0 * 1000, values[512 * 1000]);
    }

    private const string ModeFile = "/sys/kernel/mm/transparent_hugepage/enabled";

    /// <summary>AnonHugePages of the mapping that holds the array's middle element.</summary>
    private static long HugeKilobytes(double[] values)
    {
        var handle = GCHandle.Alloc(values, GCHandleType.Pinned);
        var address = (ulong)(handle.AddrOfPinnedObject() + (values.Length / 2 * sizeof(double)));
        handle.Free();

        var inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var dash = line.IndexOf('-', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash > 0 && space > dash && ulong.TryParse(line[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var from)
                && ulong.TryParse(line[(dash + 1)..space], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var to))
            {
                inside = address >= from && address < to;
            }
            else if (inside && line.StartsWith("AnonHugePages:", StringComparison.Ordinal))
            {
                return long.Parse(line["AnonHugePages:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
