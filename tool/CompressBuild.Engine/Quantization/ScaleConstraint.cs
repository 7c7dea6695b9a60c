namespace CompressBuild.Engine.Quantization;

/// <summary>int8-static: what form the scales the model carries must take.</summary>
public enum ScaleConstraint
{
    /// <summary>Any positive float: the scale that covers the calibrated range exactly.</summary>
    None,

    /// <summary>
    /// Every scale is 2^k (seed: ALS-PoTQ), so rescaling is a bit shift, the form fixed-point accelerators (FPGA DPUs)
    /// require. The int32 bias scale, the product of two such scales, is then one too.
    /// </summary>
    PowerOfTwo,
}
