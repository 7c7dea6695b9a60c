using System.Globalization;
using CompressBuild.Engine.Quantization.Fusion;

namespace CompressBuild.Engine.Reporting;

/// <summary>
/// The fusion report in words and rows, one wording for every place that shows it (quantize's and verify's text, the
/// Markdown and HTML reports): integer kernels first, then float ops left between DequantizeLinear and QuantizeLinear.
/// </summary>
public static class FusionSummary
{
    public static string Line(FusionReport fusion)
    {
        ArgumentNullException.ThrowIfNull(fusion);
        return string.Create(CultureInfo.InvariantCulture,
            $"ONNX Runtime runs {fusion.IntegerTotal} integer kernel(s), {fusion.FloatTotal} float op(s) between DequantizeLinear and QuantizeLinear" +
                $"{(fusion.QuantizedConv > 0 ? $"; Conv fused {fusion.FusedConv}/{fusion.QuantizedConv} ({fusion.ConvFusedShare.ToString("P0", CultureInfo.InvariantCulture)})" : "")}");
    }

    /// <summary>("integer" or "float", op type, nodes), integer kernels first, each group by op type.</summary>
    public static IReadOnlyList<(string RunsAs, string OpType, int Count)> Rows(FusionReport fusion)
    {
        ArgumentNullException.ThrowIfNull(fusion);
        return [.. fusion.IntegerKernels.Select(c => ("integer", c.OpType, c.Count)), .. fusion.FloatBetweenQdq.Select(c => ("float", c.OpType, c.Count))];
    }
}
