using CompressBuild.Engine.Quantization.Calibration;

namespace CompressBuild.Engine.Quantization;

/// <summary>A weight tensor quantized along one axis (per channel) or as a whole (<see cref="Axis"/> = -1).</summary>
public sealed class WeightQuantization
{
    private WeightQuantization(byte[] data, QuantParams[] channels, int axis)
    {
        Data = data;
        Channels = channels;
        Axis = axis;
    }

    /// <summary>One byte per element: the u8 value, or the s8 value's two's-complement byte.</summary>
    public byte[] Data { get; }

    public QuantParams[] Channels { get; }

    public int Axis { get; }

    public float[] Scales => Channels.Select(c => c.Scale).ToArray();

    public static WeightQuantization Quantize(ReadOnlySpan<float> values, IReadOnlyList<long> dims, int axis, QuantType type, bool symmetric)
    {
        var channelCount = axis < 0 ? 1 : checked((int)dims[axis]);
        long inner = 1;
        for (var d = axis + 1; axis >= 0 && d < dims.Count; d++)
        {
            inner *= dims[d];
        }

        // Walk the elements in storage order with a running channel counter: no division per element.
        var low = new float[channelCount];
        var high = new float[channelCount];
        var c = 0;
        long j = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (v < low[c])
            {
                low[c] = v;
            }
            else if (v > high[c])
            {
                high[c] = v;
            }

            if (++j == inner || axis < 0)
            {
                j = 0;
                c = axis < 0 || c + 1 == channelCount ? 0 : c + 1;
            }
        }

        var channels = new QuantParams[channelCount];
        var inverse = new double[channelCount];
        for (c = 0; c < channelCount; c++)
        {
            channels[c] = QuantParams.FromRange(new QuantRange(low[c], high[c]), type, symmetric);
            inverse[c] = 1.0 / channels[c].Scale;
        }

        var data = new byte[values.Length];
        c = 0;
        j = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var p = channels[c];
            var q = Math.Round(values[i] * inverse[c], MidpointRounding.ToEven) + p.ZeroPoint;
            data[i] = unchecked((byte)(int)Math.Clamp(q, p.QMin, p.QMax));
            if (++j == inner || axis < 0)
            {
                j = 0;
                c = axis < 0 || c + 1 == channelCount ? 0 : c + 1;
            }
        }

        return new WeightQuantization(data, channels, axis);
    }

    /// <summary>The value the runtime will compute with for element <paramref name="index"/>.</summary>
    public float Dequantized(int index, long inner)
    {
        var c = Axis < 0 ? 0 : (int)(index / inner % Channels.Length);
        var q = Channels[c].Type == QuantType.S8 ? (int)(sbyte)Data[index] : Data[index];
        return (q - Channels[c].ZeroPoint) * Channels[c].Scale;
    }
}
