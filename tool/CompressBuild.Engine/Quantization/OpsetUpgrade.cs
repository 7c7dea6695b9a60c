using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization;

/// <summary>
/// Raises the default-domain opset to 14 (per-channel QuantizeLinear/DequantizeLinear need the axis
/// attribute that opset 13 added; 14 adds HardSwish, which int8-static fuses the exporters' spelled-out form into)
/// when every op in the model means the same at 14 as at its current opset (13 to 14 only widened types and added
/// optional attributes whose defaults keep the old meaning).
/// Ops whose signature changed between 9 and 13 (Softmax's axis semantics, Split/Squeeze/Unsqueeze/ReduceSum
/// moving attributes to inputs, Dropout's ratio, Upsample, Resize, Pad, Slice...) block the raise.
/// </summary>
internal static class OpsetUpgrade
{
    public const long Target = 14;

    /// <summary>The first opset whose QuantizeLinear/DequantizeLinear take an axis (per-channel weights).</summary>
    public const long PerChannel = 13;

    /// <summary>Ops whose every version from 9 to 13 accepts the same attributes and inputs with the same meaning.</summary>
    private static readonly HashSet<string> Stable = new(StringComparer.Ordinal)
    {
        "Abs", "Add", "And", "ArgMax", "ArgMin", "AveragePool", "BatchNormalization", "Cast", "Ceil", "Concat", "Constant",
        "ConstantOfShape", "Conv", "ConvTranspose", "Div", "Elu", "Equal", "Erf", "Exp", "Expand", "Flatten", "Floor",
        "Gather", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Greater", "HardSigmoid", "Identity", "LeakyRelu", "Less",
        "Log", "LRN", "MatMul", "Max", "MaxPool", "Mean", "Min", "Mul", "Neg", "Not", "Or", "Pow", "PRelu", "Reciprocal",
        "Relu", "Reshape", "Selu", "Shape", "Sigmoid", "Sign", "Sin", "Cos", "Size", "Softplus", "Softsign", "Sqrt", "Sub",
        "Sum", "Tanh", "Tile", "Transpose", "Where", "Xor",
    };

    /// <summary>Ops that changed from opset 9 to 11 but are stable from 11 to 13.</summary>
    private static readonly HashSet<string> StableFrom11 = new(StringComparer.Ordinal) { "Clip", "Pad", "Slice", "Resize", "TopK", "Range", "NonZero" };

    /// <summary>The ops (sorted) that keep the model from moving to opset 13; empty when the raise is safe.</summary>
    public static IReadOnlyList<string> Blockers(ModelProto model, long current)
    {
        return model.Graph.Node
            .Where(n => n.Domain is "" or "ai.onnx")
            .Select(n => n.OpType)
            .Where(op => !Stable.Contains(op) && !(current >= 11 && StableFrom11.Contains(op)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public static void Raise(ModelProto model)
    {
        GraphEditor.EnsureOpset(model, "", Target);
        // IR version 7 is the first that may import opset 13.
        model.IrVersion = Math.Max(model.IrVersion, 7);
    }
}
