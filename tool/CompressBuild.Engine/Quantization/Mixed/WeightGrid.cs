using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.WeightOnly;
using CompressBuild.Engine.Reconstruction;

namespace CompressBuild.Engine.Quantization.Mixed;

/// <summary>
/// ||W - Q(W)||^2 of one layer's weight rows ([outputs, columns] per group, as <see cref="WeightRows"/> reads them) under the grid
/// the mode itself uses: int8 per output channel (or per tensor) for int8-static and int8-dynamic MatMul/Gemm, u8 per tensor for
/// ConvInteger, MatMulNBits blocks along K for the weight-only modes' MatMul/Gemm and per-channel symmetric for their Conv.
/// </summary>
public static class WeightGrid
{
    public static double SquaredError(ReadOnlySpan<double> rows, int outputs, int columns, LayerKind kind, QuantizationOptions options)
    {
        var back = Dequantized(rows, outputs, columns, kind, options);
        double error = 0;
        for (var i = 0; i < back.Length; i++)
        {
            error += (rows[i] - back[i]) * (rows[i] - back[i]);
        }

        return error;
    }

    /// <summary>Q(W): the rows as the mode's grid stores them, dequantized.</summary>
    public static double[] Dequantized(ReadOnlySpan<double> rows, int outputs, int columns, LayerKind kind, QuantizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new double[outputs * columns];
        switch (options.Mode)
        {
            case QuantizationMode.Int4Weight or QuantizationMode.Int8Weight:
                var bits = options.Mode == QuantizationMode.Int4Weight ? 4 : 8;
                Blocks(rows, result, outputs, columns, bits, kind == LayerKind.Dense ? options.BlockSize : columns, kind != LayerKind.Dense || options.BlockSymmetric);
                break;
            case QuantizationMode.Int8Dynamic when kind == LayerKind.Conv:
                Linear(rows, result, outputs, columns, perRow: false, QuantType.U8, symmetric: false);
                break;
            default:
                Linear(rows, result, outputs, columns, options.PerChannel, options.WeightType, options.WeightSymmetric);
                break;
        }

        return result;
    }

    private static void Linear(ReadOnlySpan<double> rows, double[] result, int outputs, int columns, bool perRow, QuantType type, bool symmetric)
    {
        var segment = perRow ? columns : outputs * columns;
        for (var start = 0; start < outputs * columns; start += segment)
        {
            var run = rows.Slice(start, segment);
            double low = 0, high = 0;
            foreach (var v in run)
            {
                (low, high) = (Math.Min(low, v), Math.Max(high, v));
            }

            var grid = QuantParams.FromRange(new QuantRange((float)low, (float)high), type, symmetric);
            for (var i = 0; i < run.Length; i++)
            {
                result[start + i] = (grid.Quantize((float)run[i]) - grid.ZeroPoint) * (double)grid.Scale;
            }
        }
    }

    private static void Blocks(ReadOnlySpan<double> rows, double[] result, int outputs, int columns, int bits, int blockSize, bool symmetric)
    {
        var maxCode = (1 << bits) - 1;
        var block = new float[Math.Min(blockSize, columns)];
        for (var o = 0; o < outputs; o++)
        {
            for (var start = 0; start < columns; start += blockSize)
            {
                var length = Math.Min(blockSize, columns - start);
                var run = rows.Slice((o * columns) + start, length);
                for (var i = 0; i < length; i++)
                {
                    block[i] = (float)run[i];
                }

                var (scale, zero) = BlockQuantization.Grid(block.AsSpan(0, length), bits, symmetric);
                for (var i = 0; i < length; i++)
                {
                    var code = Math.Clamp(Math.Round(run[i] / scale, MidpointRounding.ToEven) + zero, 0, maxCode);
                    result[(o * columns) + start + i] = (code - zero) * (double)scale;
                }
            }
        }
    }
}
