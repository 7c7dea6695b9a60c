namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>
/// The symmetric clipping threshold that minimizes the expected squared error of 8-bit quantization (rounding
/// error inside the range, clipping error outside), evaluated on the histogram.
/// </summary>
public sealed class MseCalibrator : RangeCalibrator
{
    private const int Steps = 256;

    protected override (float Low, float High) Choose(ActivationHistogram histogram)
    {
        var counts = histogram.Counts;
        var width = histogram.BinWidth;
        var radius = histogram.Radius;
        var reach = Math.Max(Math.Abs((double)histogram.Min), Math.Abs((double)histogram.Max));
        var best = (histogram.Min, histogram.Max);
        var bestError = double.PositiveInfinity;
        for (var step = 1; step <= Steps; step++)
        {
            var threshold = reach * step / Steps;
            var (low, high) = Symmetric(histogram, threshold);
            var lowQ = Math.Min(0.0, low);
            var highQ = Math.Max(0.0, high);
            var scale = (highQ - lowQ) / 255;
            var rounding = scale * scale / 12;
            double error = 0;
            for (var b = 0; b < counts.Length; b++)
            {
                if (counts[b] == 0)
                {
                    continue;
                }

                var center = -radius + ((b + 0.5) * width);
                var e = center < lowQ ? (lowQ - center) * (lowQ - center)
                    : center > highQ ? (center - highQ) * (center - highQ)
                    : rounding;
                error += counts[b] * e;
            }

            if (error < bestError)
            {
                bestError = error;
                best = (low, high);
            }
        }

        return best;
    }
}
