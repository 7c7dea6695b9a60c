using System.Globalization;

namespace CompressBuild.Benchmarks.Reporting;

/// <summary>The cells of the results table, shared by the terminal and the Markdown rendering so they never disagree.</summary>
internal static class ReportTable
{
    public static IReadOnlyList<string> Headers { get; } =
    [
        "Scenario", "Model MiB", "Load s", "Save s", "Total s", "Best s", "MiB/s", "Raw I/O s", "Beyond I/O",
        "Start MiB", "Peak MiB", "Peak/model", "Net/model", "Alloc/model", "Peak < target",
    ];

    public static IReadOnlyList<IReadOnlyList<string>> Rows(ModelIoReport report) =>
        report.Scenarios.Select(s => (IReadOnlyList<string>)
        [
            s.Id,
            Number(s.ModelBytes / Mib, "0.0"),
            Seconds(s.LoadMs),
            s.SaveMs > 0 ? Seconds(s.SaveMs) : "-",
            Seconds(s.TotalMs),
            Seconds(s.BestMs),
            Number(s.ThroughputMiBPerSecond, "0"),
            s.BaselineMs is { } baseline ? Seconds(baseline) : "-",
            s.BeyondIoShare is { } share ? Number(share * 100, "0") + "%" : "-",
            Number(s.StartPeakBytes / Mib, "0"),
            Number(s.PeakBytes / Mib, "0"),
            Number(s.PeakMultiple, "0.00") + "x",
            Number(s.NetPeakMultiple, "0.00") + "x",
            Number(s.AllocatedMultiple, "0.00") + "x",
            s.IsEngine ? (s.PeakMultiple < report.TargetMultiple ? "yes" : "NO") : "-",
        ]).ToList();

    private const double Mib = 1024 * 1024;

    private static string Seconds(double ms) => Number(ms / 1000, "0.000");

    private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
