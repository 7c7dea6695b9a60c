using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// Knows how one op type is quantized in every mode, as ONNX Runtime's quantizer registry does: in QDQ form
/// (int8-static) which inputs are activations, which one is the weight (and its channel axis), which one is the
/// bias, and whether the output gets its own quantization parameters; in int8-dynamic and weight-only, the rewrite
/// itself (usually a call to the mode's builder in Dynamic/ or WeightOnly/). The mode drivers ask
/// <see cref="OperatorQuantizers"/> for the class of each node and never name op types themselves.
/// </summary>
internal abstract class OperatorQuantizer
{
    public abstract string OpType { get; }

    /// <summary>Whether <paramref name="mode"/> quantizes this op at all; the drivers list only such nodes in their decisions.</summary>
    public virtual bool HasForm(OpMode mode) => mode == OpMode.Qdq;

    /// <summary>int8-dynamic: rewrites <paramref name="node"/> in place, or says why it stays float.</summary>
    public virtual OpRewrite QuantizeDynamic(GraphEditor editor, QuantizationContext context, NodeProto node) =>
        throw new InvalidOperationException($"{OpType} has no int8-dynamic form.");

    /// <summary>int4-weight / int8-weight: rewrites <paramref name="node"/> in place, or says why it stays float.</summary>
    public virtual OpRewrite QuantizeWeightOnly(GraphEditor editor, QuantizationContext context, NodeProto node, WeightOnlySettings settings) =>
        throw new InvalidOperationException($"{OpType} has no weight-only form.");

    /// <summary>
    /// Whether this op staying float in <paramref name="mode"/> is advisory CB4014 (a layer the user expects to
    /// shrink; a product of two activations never is). int8-static decides this from <see cref="IsWeighted"/>.
    /// </summary>
    public virtual bool AdvisesLeftFloat(OpMode mode) => false;

    /// <summary>Whether the form of <paramref name="mode"/> is smaller but slower than float on CPU (advisory CB4013).</summary>
    public virtual bool SlowerWhenQuantized(OpMode mode) => false;

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

    /// <summary>
    /// Inputs that take the state a recurrent op carries from step to step (LSTM's initial_h and initial_c), which int8-static keeps
    /// float with everything that merely moves it (<see cref="Qdq.RecurrentState"/>).
    /// </summary>
    public virtual IEnumerable<int> StateInputs => [];

    /// <summary>Outputs that return a recurrent op's state after the last step (LSTM's Y_h and Y_c), kept float likewise.</summary>
    public virtual IEnumerable<int> StateOutputs => [];
}
