namespace CompressBuild.Benchmarks.Calibration;

/// <summary>What one child process printed: the wall seconds of the measured work, its peak resident memory (VmHWM) and the process's CPU seconds (all threads) over the same work.</summary>
internal sealed record CalibrationMeasurement(double Seconds, long PeakBytes, double CpuSeconds);
