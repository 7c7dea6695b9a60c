using CompressBuild.Benchmarks.Child;
using CompressBuild.Benchmarks.Measurement;
using CompressBuild.Benchmarks.ModelIo;

namespace CompressBuild.Benchmarks.Reporting;

/// <summary>
/// One scenario over all its runs: each figure is the median of that figure across runs (taken separately,
/// so the median time and the median peak may come from different runs), plus the best total time.
/// </summary>
internal sealed record ScenarioSummary(
    string Id,
    string Title,
    bool IsEngine,
    long ModelBytes,
    int Runs,
    double LoadMs,
    double SaveMs,
    double TotalMs,
    double BestMs,
    double StartPeakBytes,
    double PeakBytes,
    double AllocatedBytes,
    string? BaselineId,
    double? BaselineMs)
{
    private const double MiB = 1024 * 1024;

    public double ThroughputMiBPerSecond => ModelBytes / MiB / (TotalMs / 1000);

    /// <summary>Peak resident memory of the whole child process, as a multiple of the model's size on disk.</summary>
    public double PeakMultiple => PeakBytes / ModelBytes;

    /// <summary>Peak minus what the runtime held at start-up: the model's own cost.</summary>
    public double NetPeakMultiple => (PeakBytes - StartPeakBytes) / ModelBytes;

    /// <summary>Managed bytes allocated during the scenario; above 1x means weights were copied.</summary>
    public double AllocatedMultiple => AllocatedBytes / ModelBytes;

    /// <summary>Share of the time the pure-I/O baseline does not account for: parsing, serializing, copying.</summary>
    public double? BeyondIoShare => BaselineMs is { } baseline ? 1 - (baseline / TotalMs) : null;

    public static ScenarioSummary From(Scenario scenario, long modelBytes, IReadOnlyList<ChildMeasurement> runs) => new(
        scenario.Id,
        scenario.Title,
        scenario.IsEngine,
        modelBytes,
        runs.Count,
        Median.Of(runs.Select(r => r.LoadMs)),
        Median.Of(runs.Select(r => r.SaveMs)),
        Median.Of(runs.Select(r => r.TotalMs)),
        runs.Min(r => r.TotalMs),
        Median.Of(runs.Select(r => (double)r.BaselinePeakBytes)),
        Median.Of(runs.Select(r => (double)r.PeakBytes)),
        Median.Of(runs.Select(r => (double)r.AllocatedBytes)),
        scenario.BaselineId,
        BaselineMs: null);
}
