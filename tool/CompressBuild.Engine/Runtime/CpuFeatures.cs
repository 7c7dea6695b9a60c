using System.Runtime.Intrinsics.X86;

namespace CompressBuild.Engine.Runtime;

/// <summary>
/// What the CPU offers ONNX Runtime's u8 x s8 kernels. Without VNNI (AVX-VNNI or AVX512-VNNI), x86 multiplies
/// u8 by s8 with vpmaddubsw, which adds two products into a saturating int16: 255 x 127 x 2 overflows, so 8-bit
/// weights can saturate. ONNX Runtime's quantizer offers reduce_range (7-bit weights) for such CPUs; Arm and VNNI
/// CPUs widen to int32 and do not saturate.
/// </summary>
public static class CpuFeatures
{
    /// <summary>CPUID leaf 7 sub-leaf 0, ECX bit 11: AVX512_VNNI (the VEX-encoded AVX-VNNI has its own .NET class).</summary>
    private const int Avx512VnniBit = 1 << 11;

    public static bool IsX86 => X86Base.IsSupported;

    public static bool HasVnni => AvxVnni.IsSupported || Avx10v1.IsSupported
        || (X86Base.IsSupported && Avx512F.IsSupported && (X86Base.CpuId(7, 0).Ecx & Avx512VnniBit) != 0);

    /// <summary>u8 activations x s8 weights can saturate here: an x86 CPU without VNNI.</summary>
    public static bool U8S8CanSaturate => IsX86 && !HasVnni;

    /// <summary>
    /// Channels per block of MLAS's NCHWc float kernels, which ONNX Runtime's optimizer moves Convs onto when the block
    /// divides their channel counts: 16 floats (one 512-bit register) with AVX-512F, 8 with AVX2 and FMA3; 1 elsewhere,
    /// where the NCHWc layout is not used (channel round_to auto then has nothing to round to).
    /// </summary>
    public static int NchwcBlock => Avx512F.IsSupported ? 16 : Avx2.IsSupported && Fma.IsSupported ? 8 : 1;
}
