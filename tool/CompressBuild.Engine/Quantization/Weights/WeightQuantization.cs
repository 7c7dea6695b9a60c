using System.Numerics.Tensors;
using CompressBuild.Engine.Quantization.Calibration;

namespace CompressBuild.Engine.Quantization.Weights;

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

    /// <param name="reduceRange">Symmetric s8 only: use half the grid (-64..64, 7 bits), as ONNX Runtime's reduce_range does.</param>
    /// <param name="constraint">PowerOfTwo: each channel's scale rounded to the power of two with the smaller error on its weights.</param>
    /// <param name="gridFrom">
    /// The values the grid (ranges, scales) is derived from when not <paramref name="values"/> themselves: the original weights, when
    /// <paramref name="values"/> were already rounded onto that grid (AdaRound), whose own range may have shrunk.
    /// </param>
    /// <param name="pairedInputs">
    /// With <paramref name="reduceRange"/> per output channel, whose codes MLAS's u8 x s8 kernels add in pairs
    /// (<see cref="Latency.WeightRange.PairsFit"/>, <see cref="Latency.WeightRange.PairedInputs"/>): a Conv weight's [M, C/group, ...]
    /// (axis 0) input channels per group; a MatMul's or Gemm's B [K, N] (axis 1) or Gemm's transB [N, K] (axis 0) K. Each channel then
    /// gets, of the grids with largest code 64..127, the one with the smallest error once every pair that could saturate is pulled in
    /// (<see cref="Latency.WeightRange.ClampPairs"/>, also applied to codes GPTQ or AdaRound moved off nearest). 0: the 7-bit grid.
    /// </param>
    public static WeightQuantization Quantize(ReadOnlySpan<float> values, IReadOnlyList<long> dims, int axis, QuantType type, bool symmetric, bool reduceRange = false,
        ScaleConstraint constraint = ScaleConstraint.None, ReadOnlySpan<float> gridFrom = default, int pairedInputs = 0)
    {
        if (reduceRange && symmetric && type == QuantType.S8 && constraint == ScaleConstraint.None && pairedInputs > 0 && dims.Count == 2 && axis == 1
            && dims[0] == pairedInputs && dims[1] > 1)
        {
            return ByColumns(values, dims, type, gridFrom);
        }

        var coded = values;
        values = gridFrom.IsEmpty ? values : gridFrom;
        var channelCount = axis < 0 ? 1 : checked((int)dims[axis]);
        long inner = 1;
        for (var d = axis + 1; axis >= 0 && d < dims.Count; d++)
        {
            inner *= dims[d];
        }

        // The tensor is [outer, channels, inner]. With inner = 1 (channels on the last axis, MatMul's [K, N]) each row
        // holds one value per channel and is handled pointwise against per-channel vectors; otherwise every run of
        // `inner` values shares one channel. Either way the work is vectorized by TensorPrimitives.
        var perRow = axis >= 0 && inner == 1 && channelCount > 1;
        var segment = perRow ? channelCount : axis < 0 ? values.Length : (int)inner;
        var low = new float[channelCount];
        var high = new float[channelCount];
        for (var start = 0; start < values.Length; start += segment)
        {
            var run = values.Slice(start, segment);
            if (perRow)
            {
                TensorPrimitives.Min(run, low, low);
                TensorPrimitives.Max(run, high, high);
            }
            else
            {
                var c = axis < 0 ? 0 : (int)(start / inner % channelCount);
                low[c] = Math.Min(low[c], TensorPrimitives.Min(run));
                high[c] = Math.Max(high[c], TensorPrimitives.Max(run));
            }
        }

        var channels = new QuantParams[channelCount];
        var inverse = new float[channelCount];
        var zeros = new float[channelCount];
        for (var c = 0; c < channelCount; c++)
        {
            // Twice the range on the s8 grid puts the largest weight at 63.5, which rounds to 64: the 7-bit grid.
            var widen = reduceRange && symmetric && type == QuantType.S8 ? 2f : 1f;
            channels[c] = QuantParams.FromRange(new QuantRange(low[c] * widen, high[c] * widen), type, symmetric);
        }

        if (constraint == ScaleConstraint.PowerOfTwo)
        {
            RoundToPowersOfTwo(values, channels, low, high, symmetric, reduceRange && symmetric && type == QuantType.S8, perRow ? 1 : inner);
        }

        // One output channel per run of `inner` values (axis 0, no outer dimension): the runs the pairs are read from.
        var paired = reduceRange && symmetric && type == QuantType.S8 && constraint == ScaleConstraint.None && pairedInputs > 0 && axis == 0 && !perRow
            && inner % pairedInputs == 0 && values.Length == channelCount * inner;
        if (paired)
        {
            LeastErrorPairSafeGrids(values, channels, low, high, (int)inner, pairedInputs);
        }

        for (var c = 0; c < channelCount; c++)
        {
            inverse[c] = 1f / channels[c].Scale;
            zeros[c] = channels[c].ZeroPoint;
        }

        float qmin = channels[0].QMin, qmax = channels[0].QMax;
        var data = new byte[coded.Length];
        var scratch = new float[segment];
        for (var start = 0; start < coded.Length; start += segment)
        {
            var run = coded.Slice(start, segment);
            if (perRow)
            {
                TensorPrimitives.Multiply(run, inverse, scratch);
                TensorPrimitives.Round(scratch, scratch);
                TensorPrimitives.Add(scratch, zeros, scratch);
            }
            else
            {
                var c = axis < 0 ? 0 : (int)(start / inner % channelCount);
                TensorPrimitives.Multiply(run, inverse[c], scratch);
                TensorPrimitives.Round(scratch, scratch);
                TensorPrimitives.Add(scratch, zeros[c], scratch);
            }

            TensorPrimitives.Max(scratch, qmin, scratch);
            TensorPrimitives.Min(scratch, qmax, scratch);
            if (paired)
            {
                Latency.WeightRange.ClampPairs(scratch, pairedInputs);
            }

            var destination = data.AsSpan(start, segment);
            for (var i = 0; i < scratch.Length; i++)
            {
                destination[i] = unchecked((byte)(int)scratch[i]);
            }
        }

        return new WeightQuantization(data, channels, axis);
    }

    /// <summary>
    /// B [K, N] per output column with pair-safe grids: MLAS pairs K rows of one column, so the columns are coded as the rows of
    /// B transposed ([N, K], axis 0, each a 1x1 kernel of K inputs) and the codes transposed back.
    /// </summary>
    private static WeightQuantization ByColumns(ReadOnlySpan<float> values, IReadOnlyList<long> dims, QuantType type, ReadOnlySpan<float> gridFrom)
    {
        var (rows, columns) = (checked((int)dims[0]), checked((int)dims[1]));
        var transposed = Transposed(values, rows, columns);
        var grid = gridFrom.IsEmpty ? default : Transposed(gridFrom, rows, columns);
        var byRows = Quantize(transposed, [columns, rows], 0, type, symmetric: true, reduceRange: true, gridFrom: grid, pairedInputs: rows);
        return new WeightQuantization(Transposed<byte>(byRows.Data, columns, rows), byRows.Channels, 1);
    }

    /// <summary>A row-major [rows, columns] matrix as [columns, rows].</summary>
    private static T[] Transposed<T>(ReadOnlySpan<T> values, int rows, int columns)
    {
        var transposed = new T[values.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                transposed[(c * rows) + r] = values[(r * columns) + c];
            }
        }

        return transposed;
    }

    /// <summary>
    /// Each channel's scale to 2^floor or 2^ceil of its log2, whichever gives the smaller squared error over that
    /// channel's weights. With the 7-bit grid only the ceil is allowed: the floor could put weights past 64 and
    /// bring back the u8 x s8 saturation reduce_range exists to avoid.
    /// </summary>
    private static void RoundToPowersOfTwo(ReadOnlySpan<float> values, QuantParams[] channels, float[] low, float[] high, bool symmetric, bool ceilOnly, long inner)
    {
        var count = channels.Length;
        var floors = new QuantParams[count];
        var ceils = new QuantParams[count];
        var widen = ceilOnly ? 2f : 1f;
        for (var c = 0; c < count; c++)
        {
            (floors[c], ceils[c]) = PowerOfTwoScale.Candidates(channels[c], new QuantRange(low[c] * widen, high[c] * widen), symmetric);
        }

        if (ceilOnly)
        {
            Array.Copy(ceils, channels, count);
            return;
        }

        var floorError = new double[count];
        var ceilError = new double[count];
        for (var i = 0; i < values.Length; i++)
        {
            var c = (int)(i / inner % count);
            floorError[c] += PowerOfTwoScale.Squared(floors[c], values[i]);
            ceilError[c] += PowerOfTwoScale.Squared(ceils[c], values[i]);
        }

        for (var c = 0; c < count; c++)
        {
            channels[c] = floorError[c] < ceilError[c] ? floors[c] : ceils[c];
        }
    }

    /// <summary>
    /// Per channel, of the grids whose largest code is 127..64, the one with the smallest squared error over the channel's weights
    /// once the pairs that do not fit are clamped (<see cref="Latency.WeightRange.ClampPairs"/>; coded exactly as <see cref="Quantize"/>
    /// codes them): a finer grid with a few pairs pulled in against a coarser one on which every pair fits. The 7-bit grid (64) always fits.
    /// </summary>
    private static void LeastErrorPairSafeGrids(ReadOnlySpan<float> values, QuantParams[] channels, float[] low, float[] high, int inner, int pairedInputs)
    {
        var scratch = new float[inner];
        for (var c = 0; c < channels.Length; c++)
        {
            var run = values.Slice(c * inner, inner);
            var best = double.PositiveInfinity;
            for (var largest = 127; largest >= Latency.WeightRange.ReducedLimit; largest--)
            {
                var widen = 127f / largest;
                var candidate = QuantParams.FromRange(new QuantRange(low[c] * widen, high[c] * widen), QuantType.S8, symmetric: true);
                TensorPrimitives.Multiply(run, 1f / candidate.Scale, scratch);
                TensorPrimitives.Round(scratch, scratch);
                TensorPrimitives.Add(scratch, candidate.ZeroPoint, scratch);
                TensorPrimitives.Max(scratch, candidate.QMin, scratch);
                TensorPrimitives.Min(scratch, candidate.QMax, scratch);
                Latency.WeightRange.ClampPairs(scratch, pairedInputs);
                double error = 0;
                for (var i = 0; i < inner; i++)
                {
                    var difference = ((scratch[i] - candidate.ZeroPoint) * (double)candidate.Scale) - run[i];
                    error += difference * difference;
                }

                if (error < best)
                {
                    (best, channels[c]) = (error, candidate);
                }
            }
        }
    }

    /// <summary>The value the runtime will compute with for element <paramref name="index"/>.</summary>
    public float Dequantized(int index, long inner)
    {
        var c = Axis < 0 ? 0 : (int)(index / inner % Channels.Length);
        var q = Channels[c].Type == QuantType.S8 ? (int)(sbyte)Data[index] : Data[index];
        return (q - Channels[c].ZeroPoint) * Channels[c].Scale;
    }
}
