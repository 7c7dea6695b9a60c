using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>
/// Narrows a calibrated range to where its readers can still tell values apart: when every reader of a tensor
/// is HardSwish (constant 0 below -3) or HardSigmoid (constant below -beta/alpha and above (1-beta)/alpha), values
/// past those points give the same outputs, so quantizing them as the saturation point loses nothing. PP-OCRv4's
/// detector has a Conv whose output spans [-205, 206] into a HardSwish: its negative half only needs [-3, 0],
/// which halves the quantization step of everything else in it.
/// </summary>
internal static class SaturationClamp
{
    public static QuantRange Apply(QuantRange range, string tensor, GraphIndex index)
    {
        var readers = index.Consumers(tensor);
        if (readers.Count == 0 || index.IsGraphOutput(tensor))
        {
            return range;
        }

        var low = float.PositiveInfinity;
        var high = float.NegativeInfinity;
        foreach (var reader in readers)
        {
            if (reader.Domain is not ("" or "ai.onnx") || reader.Input.Count == 0 || reader.Input[0] != tensor || !Saturation(reader, out var lo, out var hi))
            {
                return range;
            }

            low = Math.Min(low, lo);
            high = Math.Max(high, hi);
        }

        // A range must still hold 0 (exact zero padding and zero points) and stay non-empty.
        var clampedLow = Math.Min(Math.Max(range.Low, low), 0f);
        var clampedHigh = Math.Max(Math.Min(range.High, high), 0f);
        return clampedHigh > clampedLow ? new QuantRange(clampedLow, clampedHigh) : range;
    }

    private static bool Saturation(NodeProto node, out float low, out float high)
    {
        switch (node.OpType)
        {
            case "HardSwish":
                (low, high) = (-3f, float.PositiveInfinity);
                return true;
            case "HardSigmoid":
                var alpha = NodeAttributes.Float(node, "alpha", 0.2f);
                var beta = NodeAttributes.Float(node, "beta", 0.5f);
                (low, high) = alpha > 0 ? (-beta / alpha, (1f - beta) / alpha) : (float.NegativeInfinity, float.PositiveInfinity);
                return alpha > 0;
            default:
                (low, high) = (float.NegativeInfinity, float.PositiveInfinity);
                return false;
        }
    }
}
