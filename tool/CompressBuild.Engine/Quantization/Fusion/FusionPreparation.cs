using CompressBuild.Engine.Onnx;

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
        // 13 -> 14 changed no op's meaning (types widened, optional attributes whose defaults keep the old one) and
        // brings HardSwish, so a model at 13 (where int8-static converts everything older) moves on to 14.
        if (work.Model.OpsetVersion("") == ModelQuantizer.QdqOpset && HasHardSwishPattern(work))
        {
            GraphEditor.EnsureOpset(work.Proto, "", HardSwishFusion.Opset);
            work.Proto.IrVersion = Math.Max(work.Proto.IrVersion, 7);
        }

        var hardSwish = work.Model.OpsetVersion("") >= HardSwishFusion.Opset ? HardSwishFusion.Apply(work.Model) : 0;
        var folded = ConvAffineFolding.Apply(work.Model);
        if (hardSwish > 0)
        {
            work.FusionRewrites.Add($"{hardSwish} hard-swish pattern(s) (x * Clip(x + 3, 0, 6) / 6) fused into HardSwish");
        }

        if (folded > 0)
        {
            work.FusionRewrites.Add($"{folded} Mul/Add/BatchNormalization node(s) folded into the weights and biases of adjacent Convs");
        }
    }

    private static bool HasHardSwishPattern(QuantizationWork work) =>
        work.Graph.Node.Any(n => n.OpType == "Clip") && work.Graph.Node.Any(n => n.OpType is "Div" or "Mul")
        || work.Graph.Node.Any(n => n.OpType == "HardSigmoid");
}
