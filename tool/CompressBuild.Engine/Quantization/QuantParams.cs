using CompressBuild.Engine.Quantization.Calibration;

namespace CompressBuild.Engine.Quantization;

/// <summary>Scale and zero point of one quantized tensor (or of one channel): real = (q - zero point) * scale.</summary>
public readonly record struct QuantParams(float Scale, int ZeroPoint, QuantType Type)
{
    public int QMin => Type == QuantType.U8 ? 0 : -128;

    public int QMax => Type == QuantType.U8 ? 255 : 127;

    /// <summary>
    /// Parameters covering <paramref name="range"/> (which contains 0). Symmetric ranges put 0 on the zero
    /// point of the type's middle and, for s8, use [-127, 127] so that negation never overflows.
    /// </summary>
    public static QuantParams FromRange(QuantRange range, QuantType type, bool symmetric)
    {
        double low = Math.Min(0f, range.Low), high = Math.Max(0f, range.High);
        if (symmetric)
        {
            var reach = Math.Max(-low, high);
            var zero = type == QuantType.U8 ? 128 : 0;
            return new QuantParams(SafeScale(reach / 127.0), zero, type);
        }

        var qmin = type == QuantType.U8 ? 0 : -128;
        var scale = SafeScale((high - low) / 255.0);
        var zeroPoint = (int)Math.Clamp(Math.Round(qmin - (low / scale), MidpointRounding.ToEven), qmin, qmin + 255);
        return new QuantParams(scale, zeroPoint, type);
    }

    public int Quantize(float value) => (int)Math.Clamp(Math.Round((value / (double)Scale) + ZeroPoint, MidpointRounding.ToEven), QMin, QMax);

    /// <summary>A range of all zeros still needs a positive scale; any value represents 0 exactly.</summary>
    private static float SafeScale(double scale) => scale > 0 && (float)scale > 0 ? (float)scale : 1f;
}
