using System.Globalization;

namespace CompressBuild.Benchmarks.Measurement;

/// <summary>
/// Reads this process's resident memory from <c>/proc/self/status</c>. The GC's own counters miss native
/// allocations, runtime overhead and heap fragmentation; the resident set is what the machine actually pays.
/// </summary>
internal static class ProcessMemory
{
    private const string StatusFile = "/proc/self/status";

    public static bool IsAvailable => File.Exists(StatusFile);

    public static MemorySnapshot Read()
    {
        long peak = -1;
        long resident = -1;
        foreach (var line in File.ReadLines(StatusFile))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = KilobytesField(line);
            }
            else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                resident = KilobytesField(line);
            }
        }

        if (peak < 0 || resident < 0)
        {
            throw new InvalidOperationException($"{StatusFile} has no VmHWM/VmRSS lines; this benchmark needs Linux.");
        }

        return new MemorySnapshot(peak, resident);
    }

    // The lines look like "VmHWM:\t  123456 kB".
    private static long KilobytesField(string line)
    {
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture) * 1024;
    }
}
