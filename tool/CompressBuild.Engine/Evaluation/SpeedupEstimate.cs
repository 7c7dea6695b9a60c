namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// How many times faster the candidate is (2.0 = twice as fast): the reference's interquartile-mean latency over
/// the candidate's, with a paired bootstrap confidence interval [<see cref="Low"/>, <see cref="High"/>] at
/// <see cref="ConfidenceLevel"/>.
/// </summary>
public sealed record SpeedupEstimate(double Ratio, double Low, double High, double ConfidenceLevel)
{
    /// <summary>Interval width relative to the estimate: 0.05 means the interval spans 5% of the speedup.</summary>
    public double RelativeWidth => Ratio > 0 ? (High - Low) / Ratio : double.PositiveInfinity;
}
