using System.Globalization;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>
/// How int8-static avoids u8 x s8 saturation on an x86 CPU without VNNI (<see cref="CpuFeatures"/>), where ONNX
/// Runtime's kernels add pairs of u8 x s8 products in saturating int16. s8 activations are no way out: ONNX Runtime runs s8 x s8
/// as u8 x s8 with 128 added to each activation, which saturates sooner (tests/nonvnni, the oracle that runs ONNX Runtime's own
/// AVX2 kernels under qemu), and its CPU QDQ rules fuse far less of it (PP-OCRv4 detector: 49 of 61 Convs as QLinearConv). So
/// without VNNI and without an explicit choice the weights whose kernels can saturate are kept from it (<see cref="WeightRange"/>:
/// per output channel the least-error pair-safe grid, else the 7-bit one; depthwise Convs keep 8 bits) and the activations stay u8.
/// The choice is reported (CB4018).
/// </summary>
public static class SaturationChoice
{
    /// <param name="graph">The model's graph, when known: the advisory then counts the layers that get 7 bits.</param>
    public static (QuantizationOptions Options, QuantizationAdvisory? Advisory) Choose(QuantizationOptions options, bool canSaturate, GraphProto? graph = null)
    {
        if (options.Mode != QuantizationMode.Int8Static || options.WeightType != QuantType.S8)
        {
            return (options, null);
        }

        if (options.ReduceRange is true)
        {
            return (options, new QuantizationAdvisory(Diagnostics.DiagnosticCodes.U8S8SaturationRemedy.Id,
                $"int8-static weights kept from u8 x s8 saturation as asked (reduce_range): {Layers(graph)}, at some cost in precision."));
        }

        if (!canSaturate || options.ReduceRange is false || options.ActivationType != QuantType.U8)
        {
            return (options, null);
        }

        return (options with { ReduceRange = true }, new QuantizationAdvisory(Diagnostics.DiagnosticCodes.U8S8SaturationRemedy.Id,
            $"this x86 CPU has no VNNI, where ONNX Runtime's u8 x s8 kernels can saturate: {Layers(graph)}; activations stay u8, which ONNX Runtime " +
                "fuses into integer kernels (s8 activations are no remedy: ONNX Runtime runs them as u8 with 128 added, which saturates too). " +
                "A model built on a VNNI CPU keeps 8-bit weights unless reduce_range: true asks for this remedy."));
    }

    private static string Layers(GraphProto? graph)
    {
        const string Grid = "use per output channel the least-error grid on which no pair of u8 x s8 products ONNX Runtime adds can saturate " +
            "(7 bits, -64..64, where a weight's pairs are not known)";
        if (graph is null)
        {
            return $"weights {Grid}; depthwise Convs, whose kernels cannot saturate, keep 8 bits";
        }

        var (layers, depthwise) = WeightRange.Count(graph);
        return depthwise == 0
            ? string.Create(CultureInfo.InvariantCulture, $"the weights of all {layers} Conv/MatMul/Gemm layers {Grid}")
            : string.Create(CultureInfo.InvariantCulture,
                $"the weights of {layers - depthwise} of {layers} Conv/MatMul/Gemm layers {Grid}; the {depthwise} depthwise Convs, whose kernels cannot saturate, keep 8 bits");
    }
}
