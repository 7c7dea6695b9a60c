namespace CompressBuild.Benchmarks.Calibration;

/// <summary>What one child process printed: the seconds of the measured work and its peak resident memory (VmHWM).</summary>
internal sealed record CalibrationMeasurement(double Seconds, long PeakBytes);
