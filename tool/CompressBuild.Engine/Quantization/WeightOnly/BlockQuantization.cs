using System.Numerics.Tensors;

namespace CompressBuild.Engine.Quantization.WeightOnly;

/// <summary>
/// A weight matrix in com.microsoft MatMulNBits' layout: for each output column n, K split into blocks
/// of <c>blockSize</c> (the last padded with zeros), each block's codes packed low bits first into
/// <c>blockSize x bits / 8</c> bytes, one float scale per block and, when asymmetric, one packed zero point.
/// Symmetric blocks use the type's middle code (8 for 4 bits, 128 for 8 bits) as the implicit zero point.
/// </summary>
public sealed class BlockQuantization
{
    private BlockQuantization(byte[] packed, float[] scales, byte[]? zeroPoints, int blocks, int blobSize)
    {
        Packed = packed;
        Scales = scales;
        ZeroPoints = zeroPoints;
        BlocksPerColumn = blocks;
        BlobSize = blobSize;
    }

    /// <summary>[N, BlocksPerColumn, BlobSize] bytes.</summary>
    public byte[] Packed { get; }

    /// <summary>[N x BlocksPerColumn] scales, column-major by block.</summary>
    public float[] Scales { get; }

    /// <summary>Packed zero points, [N x ceil(BlocksPerColumn x bits / 8)] bytes; null when symmetric.</summary>
    public byte[]? ZeroPoints { get; }

    public int BlocksPerColumn { get; }

    public int BlobSize { get; }

    /// <param name="weightsNk">The weights transposed to [N, K], so each block is contiguous.</param>
    /// <param name="rangesFrom">When given ([N, K] like the weights), each block's scale and zero point come from these
    /// values instead (GPTQ fixes the grid from the original weights, then moves the weights onto it).</param>
    public static BlockQuantization Quantize(ReadOnlySpan<float> weightsNk, int k, int n, int bits, int blockSize, bool symmetric, ReadOnlySpan<float> rangesFrom = default)
    {
        var blocks = (k + blockSize - 1) / blockSize;
        var blobSize = blockSize * bits / 8;
        var maxCode = (1 << bits) - 1;
        var middle = 1 << (bits - 1);
        var packed = new byte[(long)n * blocks * blobSize];
        var scales = new float[n * blocks];
        var zeroBytesPerColumn = ((blocks * bits) + 7) / 8;
        var zeroPoints = symmetric ? null : new byte[n * zeroBytesPerColumn];
        var codes = new int[blockSize];
        var scratch = new float[blockSize];
        for (var column = 0; column < n; column++)
        {
            for (var block = 0; block < blocks; block++)
            {
                var start = block * blockSize;
                var end = Math.Min(k, start + blockSize);
                var run = weightsNk.Slice((column * k) + start, end - start);
                var (scale, zero) = Grid(rangesFrom.IsEmpty ? run : rangesFrom.Slice((column * k) + start, end - start), bits, symmetric);

                // The padding past K quantizes to the zero point, i.e. to 0.
                var scaled = scratch.AsSpan(0, run.Length);
                TensorPrimitives.Multiply(run, 1f / scale, scaled);
                TensorPrimitives.Round(scaled, scaled);
                TensorPrimitives.Add(scaled, zero, scaled);
                TensorPrimitives.Max(scaled, 0f, scaled);
                TensorPrimitives.Min(scaled, maxCode, scaled);
                Array.Fill(codes, zero);
                for (var i = 0; i < scaled.Length; i++)
                {
                    codes[i] = (int)scaled[i];
                }

                var blob = ((long)column * blocks + block) * blobSize;
                Pack(codes, bits, packed.AsSpan((int)blob, blobSize));
                scales[(column * blocks) + block] = scale;
                if (zeroPoints is not null)
                {
                    var bit = block * bits;
                    zeroPoints[(column * zeroBytesPerColumn) + (bit / 8)] |= (byte)(zero << (bit % 8));
                }
            }
        }

        return new BlockQuantization(packed, scales, zeroPoints, blocks, blobSize);
    }

    /// <summary>The scale and zero point round-to-nearest gives one block of weights.</summary>
    public static (float Scale, int Zero) Grid(ReadOnlySpan<float> run, int bits, bool symmetric)
    {
        var maxCode = (1 << bits) - 1;
        var middle = 1 << (bits - 1);
        var low = Math.Min(0f, TensorPrimitives.Min(run));
        var high = Math.Max(0f, TensorPrimitives.Max(run));
        float scale;
        int zero;
        if (symmetric)
        {
            scale = Math.Max(-low, high) / (middle - 1);
            zero = middle;
        }
        else
        {
            scale = (high - low) / maxCode;
            zero = scale > 0 ? (int)Math.Clamp(Math.Round(-low / scale, MidpointRounding.ToEven), 0, maxCode) : 0;
        }

        // A subnormal scale (a block of subnormal weights) has an infinite reciprocal: such a block quantizes to its zero point.
        return float.IsNormal(scale) ? (scale, zero) : (1f, symmetric ? middle : 0);
    }

    private static void Pack(int[] codes, int bits, Span<byte> destination)
    {
        if (bits == 8)
        {
            for (var i = 0; i < codes.Length; i++)
            {
                destination[i] = (byte)codes[i];
            }

            return;
        }

        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = (byte)(codes[2 * i] | (codes[(2 * i) + 1] << 4));
        }
    }
}
