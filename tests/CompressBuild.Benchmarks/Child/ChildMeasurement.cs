namespace CompressBuild.Benchmarks.Child;

/// <summary>
/// What one child process measured, sent to the parent as one JSON line on stdout.
/// Baseline* is the child right after start-up, before it touched the model; Peak/Resident are at its end.
/// </summary>
internal sealed record ChildMeasurement(
    string Scenario,
    double LoadMs,
    double SaveMs,
    long BaselinePeakBytes,
    long BaselineResidentBytes,
    long PeakBytes,
    long ResidentBytes,
    long AllocatedBytes,
    int Gen2Collections)
{
    public double TotalMs => LoadMs + SaveMs;
}
