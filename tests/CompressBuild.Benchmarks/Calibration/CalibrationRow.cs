namespace CompressBuild.Benchmarks.Calibration;

/// <summary>One line of the <c>calibration</c> table: one model and sample count, each side measured in its own child process.</summary>
internal sealed record CalibrationRow(string Model, int Samples, double InferenceSeconds, double CalibrationSeconds, long InferencePeakBytes, long CalibrationPeakBytes)
{
    public double Ratio => CalibrationSeconds / InferenceSeconds;

    public double MinRatio { get; init; }

    public double MaxRatio { get; init; }

    public int Pairs { get; init; }

    /// <summary>CPU time of calibration over that of inference, each over its whole measured work.</summary>
    public double WholeCpuRatio { get; init; }

    /// <summary>Per-sample CPU time of calibration over that of inference (each minus its one-sample child).</summary>
    public double CpuRatio { get; init; }
}
