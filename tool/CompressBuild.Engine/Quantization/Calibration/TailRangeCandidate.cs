using System.Globalization;

namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>One long-tailed activation <see cref="TailRangeChoice"/> tried on its observed range (minmax): both ranges and the held-out cosine it gained.</summary>
public sealed record TailRangeCandidate(string Tensor, QuantRange Percentile, QuantRange Observed, double Gain, bool Taken)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Tensor} [{Percentile.Low:0.###}, {Percentile.High:0.###}] -> [{Observed.Low:0.###}, {Observed.High:0.###}] {Math.Round(Gain, 4):+0.0000;-0.0000;+0.0000}{(Taken ? " taken" : "")}");
}
