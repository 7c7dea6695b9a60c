namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>
/// One round of latency-aware quantization: the nodes its profile found slower quantized (by more than
/// <paramref name="Factor"/> times their float time), the summed median kernel time of the model before the round
/// and with those nodes float, and the cosine of each against the float model on calibration inputs. The round
/// was kept when it is faster and its cosine not lower by more than <see cref="CosineTolerance"/>: a float island
/// can cost fidelity (its input is still quantized, and the int8 ranges around it change).
/// </summary>
public sealed record LatencyRound(double Factor, IReadOnlyList<SlowNode> Slow, double BeforeMicroseconds, double AfterMicroseconds, double CosineBefore, double CosineAfter)
{
    public const double CosineTolerance = 0.002;

    public bool Kept => AfterMicroseconds < BeforeMicroseconds && CosineAfter >= CosineBefore - CosineTolerance;
}
