using System.Globalization;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>
/// Warns before verification (CB4019) when weight-only quantization produced MatMulNBits nodes that are all small on
/// ONNX Runtime's CPU provider: unpacking the blocks and quantizing the activations costs more than the float GEMM
/// saves below about a million weights per node (the digits transformer, 64-256 wide, ran at 0.83x with int4).
/// The model is smaller either way; for speed such a model wants int8-static or int8-dynamic.
/// </summary>
public static class SmallMatMulNBitsWarning
{
    /// <summary>K x N below which a MatMulNBits node counts as small.</summary>
    public const long SmallWeights = 1 << 20;

    public static QuantizationResult Apply(QuantizationResult result, QuantizationOptions options)
    {
        if (result.Mode is not (QuantizationMode.Int4Weight or QuantizationMode.Int8Weight) || options.Session.EffectiveExecutionProvider != ExecutionProvider.Cpu)
        {
            return result;
        }

        var shapes = Subgraphs.AllNodes(result.Model.Graph).Where(n => n.OpType == "MatMulNBits")
            .Select(n => (K: Attribute(n, "K"), N: Attribute(n, "N"))).ToList();
        if (shapes.Count == 0 || shapes.Any(s => s.K * s.N >= SmallWeights))
        {
            return result;
        }

        var largest = shapes.MaxBy(s => s.K * s.N);
        var message = string.Create(CultureInfo.InvariantCulture,
            $"all {shapes.Count} MatMulNBits node(s) are small (largest K={largest.K}, N={largest.N}, under {SmallWeights:N0} weights): on ONNX " +
                $"Runtime's CPU provider they usually run slower than the float MatMul they replace (the model is smaller, not faster); for speed " +
                $"use int8-static or int8-dynamic.");
        return result with { Advisories = [.. result.Advisories, new QuantizationAdvisory(Diagnostics.DiagnosticCodes.ModeSlowerOnTarget.Id, message)] };
    }

    private static long Attribute(Onnx.Proto.NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? 0;
}
