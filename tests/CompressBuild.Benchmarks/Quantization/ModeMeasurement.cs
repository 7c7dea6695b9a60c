namespace CompressBuild.Benchmarks.Quantization;

/// <summary>One model in one mode: how long quantizing took against load + save, how big and how fast the result is.</summary>
internal sealed record ModeMeasurement(
    string Model,
    string Mode,
    double QuantizeMs,
    double LoadSaveMs,
    long BytesBefore,
    long BytesAfter,
    double FloatMedianMs,
    double QuantizedMedianMs,
    double? CalibrationMs,
    double? InferenceMs)
{
    public double TimeRatio => QuantizeMs / LoadSaveMs;

    public double SizeRatio => (double)BytesBefore / BytesAfter;

    public double Speedup => FloatMedianMs / QuantizedMedianMs;

    public double? CalibrationRatio => CalibrationMs / InferenceMs;
}
