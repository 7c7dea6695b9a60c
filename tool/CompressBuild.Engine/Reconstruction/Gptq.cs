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
    public static void Quantize(GramMatrix gram, double[] rows, int outputs, int blockSize, float[] scales, int[] zeros, int maxCode, bool actOrder = true, double damping = ObsSweep.DefaultDamping,
        int minCode = 0)
    {
        var n = gram.Size;
        var blocks = (n + blockSize - 1) / blockSize;
        ObsSweep.Run(gram, rows, outputs, (column, values, result) =>
        {
            var block = column / blockSize;
            for (var o = 0; o < values.Length; o++)
            {
                var scale = scales[(o * blocks) + block];
                var zero = zeros[(o * blocks) + block];
                var code = Math.Clamp(Math.Round((float)values[o] * (1f / scale), MidpointRounding.ToEven) + zero, minCode, maxCode);
                result[o] = (code - zero) * (double)scale;
            }
        }, actOrder, damping);
    }
}
