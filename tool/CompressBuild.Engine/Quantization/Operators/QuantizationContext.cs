using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>What an operator quantizer may look at while deciding: the graph, its constants and the options.</summary>
internal sealed class QuantizationContext(OnnxModel model, GraphIndex index, QuantizationOptions options, bool perChannelAllowed)
{
    public OnnxModel Model { get; } = model;

    public GraphIndex Index { get; } = index;

    public QuantizationOptions Options { get; } = options;

    /// <summary>False when the opset stays below 13, where QuantizeLinear/DequantizeLinear have no axis.</summary>
    public bool PerChannelAllowed { get; } = perChannelAllowed;

    /// <summary>A float32 constant (initializer or promoted Constant) behind <paramref name="value"/>, or null.</summary>
    public TensorProto? FloatConstant(string value) =>
        value.Length > 0 && Index.TryGetConstant(value, out var tensor) && tensor.DataType == (int)TensorProto.Types.DataType.Float ? tensor : null;

    public bool IsConstant(string value) => value.Length > 0 && Index.TryGetConstant(value, out _);
}
