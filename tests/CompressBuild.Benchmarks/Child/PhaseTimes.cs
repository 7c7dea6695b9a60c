namespace CompressBuild.Benchmarks.Child;

/// <summary>Wall time of the two halves of a scenario; a load-only scenario has no save time.</summary>
internal sealed record PhaseTimes(double LoadMs, double SaveMs);
