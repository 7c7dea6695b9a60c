namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>
/// The ways an op can be quantized, each asked of the op's class in <see cref="OperatorQuantizers"/> (int4-weight
/// and int8-weight share one form with a different bit width; fp16 changes element types graph-wide and needs no
/// per-op form beyond its block list).
/// </summary>
internal enum OpMode
{
    /// <summary>int8-static: QuantizeLinear/DequantizeLinear around the op, activations calibrated on data.</summary>
    Qdq,

    /// <summary>int8-dynamic: int8 weights, activations quantized per call at run time.</summary>
    Dynamic,

    /// <summary>int4-weight / int8-weight: quantized weights, float activations and compute.</summary>
    WeightOnly,
}
