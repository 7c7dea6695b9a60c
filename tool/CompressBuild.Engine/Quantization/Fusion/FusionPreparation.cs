namespace CompressBuild.Engine.Quantization.Fusion;

/// <summary>
/// Exact graph rewrites made before int8-static places its QDQ pairs, so that quantized ops meet each other and
/// ONNX Runtime can fuse them: the spelled-out hard-swish becomes one HardSwish node, and per-channel affine ops
/// beside a Conv (scalar Mul/Add, BatchNormalization) go into its weights and bias.
/// </summary>
internal static class FusionPreparation
{
    public static void Apply(QuantizationWork work)
    {
        var hardSwish = work.Model.OpsetVersion("") >= HardSwishFusion.Opset ? HardSwishFusion.Apply(work.Model) : 0;
        var folded = ConvAffineFolding.Apply(work.Model);
        if (hardSwish > 0)
        {
            work.Prepared.Add($"{hardSwish} hard-swish pattern(s) (x * Clip(x + 3, 0, 6) / 6) fused into HardSwish");
        }

        if (folded > 0)
        {
            work.Prepared.Add($"{folded} Mul/Add/BatchNormalization node(s) folded into the weights and biases of adjacent Convs");
        }
    }
}
