using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// Knows how one op type is quantized in QDQ form: which inputs are activations, which one is the weight (and
/// its channel axis), which one is the bias, and whether the output gets its own quantization parameters.
/// </summary>
internal abstract class OperatorQuantizer
{
    public abstract string OpType { get; }

    /// <summary>Ops that carry weights: Conv, Gemm, MatMul. The others only pass quantized values on.</summary>
    public virtual bool IsWeighted => false;

    /// <summary>The output represents the same values as the input (MaxPool, Flatten...): it reuses the input's parameters.</summary>
    public virtual bool OutputSharesInputParams => false;

    /// <summary>Why this node cannot be quantized, or null when it can.</summary>
    public virtual string? Unsupported(NodeProto node, QuantizationContext context) => null;

    public virtual WeightInput? Weight(NodeProto node, QuantizationContext context) => null;

    /// <summary>Index of the bias input that becomes int32 with scale = input scale x weight scale, or -1.</summary>
    public virtual int BiasInput(NodeProto node, QuantizationContext context) => -1;

    /// <summary>Inputs that carry activations to quantize (constants among them are left alone).</summary>
    public virtual IEnumerable<int> ActivationInputs(NodeProto node, QuantizationContext context) => Enumerable.Range(0, node.Input.Count);

    /// <summary>
    /// Constant float inputs become u8/s8 initializers behind a DequantizeLinear of their own range, as ONNX Runtime's
    /// binary QLinear rules need every input dequantized (Add/Mul with a constant operand).
    /// </summary>
    public virtual bool QuantizesConstantInputs => false;

    /// <summary>Whether the output gets a Q/DQ pair even when only float nodes read it.</summary>
    public virtual bool AlwaysQuantizeOutput => true;
}
