namespace CompressBuild.Engine.Quantization.Mixed;

/// <summary>What mixed precision leaves float to reach <c>target_cosine</c> or <c>keep_float_top</c>.</summary>
public enum MixedPrecisionUnit
{
    /// <summary>Whole layers: the weight, and the Q/DQ pairs only that layer needed, stay float.</summary>
    Layers,

    /// <summary>
    /// int8-static: single activation Q/DQ pairs, most harmful first, while every weight stays int8 (the readers of a
    /// float activation compute in float behind their weights' DequantizeLinear); whole layers only when that is not enough.
    /// </summary>
    Activations,
}
