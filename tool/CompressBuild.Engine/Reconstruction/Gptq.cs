namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// GPTQ (Frantar et al. 2023) for block-wise weight-only quantization: the grid of every (output, block of K) is
/// fixed up front from the original weights (the same scale and zero point round-to-nearest would use, so the
/// result packs into MatMulNBits unchanged), then the columns are quantized in act-order and each one's rounding
/// error is pushed onto the columns not yet quantized.
/// </summary>
public static class Gptq
{
    /// <param name="rows">Row-major [outputs, columns] float weights; replaced by the dequantized GPTQ weights.</param>
    /// <param name="scales">[outputs, blocks] scales per (output, block of columns).</param>
    /// <param name="zeros">[outputs, blocks] zero points (codes).</param>
    /// <param name="minCode">The lowest code (1 for symmetric int4 per channel, whose codes span zero +- 7).</param>
    /// <param name="pairs">
    /// When set, each column's partner column (or -1) and the largest same-sign sum of a pair's codes: the second code of a pair is
    /// pulled in so the pair stays within it, and its error goes to the columns not yet coded like any rounding error (int8 weights
    /// that ONNX Runtime's u8 x s8 kernels add in saturating int16 pairs on CPUs without VNNI).
    /// </param>
    public static void Quantize(GramMatrix gram, double[] rows, int outputs, int blockSize, float[] scales, int[] zeros, int maxCode, bool actOrder = true, double damping = ObsSweep.DefaultDamping,
        int minCode = 0, (int[] Partners, int Limit)? pairs = null)
    {
        var n = gram.Size;
        var blocks = (n + blockSize - 1) / blockSize;
        var coded = pairs is null ? null : new double?[outputs * n];
        ObsSweep.Run(gram, rows, outputs, (column, values, result) =>
        {
            var block = column / blockSize;
            var partner = pairs is { } p ? p.Partners[column] : -1;
            for (var o = 0; o < values.Length; o++)
            {
                var scale = scales[(o * blocks) + block];
                var zero = zeros[(o * blocks) + block];
                var code = Math.Clamp(Math.Round((float)values[o] * (1f / scale), MidpointRounding.ToEven) + zero, minCode, maxCode);
                if (coded is not null)
                {
                    // NaN: 0 x the infinite inverse of a float-denormal scale (a channel whose weights are all below 1e-38), which codes as 0.
                    var mine = double.IsNaN(code) ? 0 : code - zero;
                    if (partner >= 0 && coded[(o * n) + partner] is { } other && Math.Sign(mine) == Math.Sign(other) && Math.Abs(mine + other) > pairs!.Value.Limit)
                    {
                        mine = Math.Sign(mine) * (pairs.Value.Limit - Math.Abs(other));
                    }

                    coded[(o * n) + column] = mine;
                    code = mine + zero;
                }

                result[o] = (code - zero) * (double)scale;
            }
        }, actOrder, damping);
    }
}
