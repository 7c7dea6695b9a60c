using System.Globalization;

namespace CompressBuild.Engine.Runtime;

/// <summary>
/// The process's minor page faults so far (Linux's <c>/proc/self/stat</c>, its tenth field; 0 where there is none). Each is the first touch of
/// a page: on the 2-core VM the capture benchmarks run on one costs 13-18 µs, so a stage that allocates afresh pays in faults what a reused
/// buffer does not, and the count is steadier than the time.
/// </summary>
internal static class PageFaults
{
    private const string StatPath = "/proc/self/stat";

    /// <summary>Field 10 of the stat line is the 8th after the command name, which ends at the line's last ')' (the name may hold one).</summary>
    private const int MinorAfterName = 7;

    public static long Minor()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        try
        {
            var stat = File.ReadAllText(StatPath);
            var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(fields[MinorAfterName], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
