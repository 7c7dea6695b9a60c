namespace CompressBuild.Benchmarks.Measurement;

/// <summary>
/// The kernel's view of a process's memory at one moment: <paramref name="PeakBytes"/> is VmHWM (the highest
/// resident set size so far), <paramref name="ResidentBytes"/> is VmRSS (resident now).
/// </summary>
internal sealed record MemorySnapshot(long PeakBytes, long ResidentBytes);
