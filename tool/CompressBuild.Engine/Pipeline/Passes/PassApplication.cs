using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization.Fusion;

namespace CompressBuild.Engine.Pipeline.Passes;

/// <summary>What applying one pass gave.</summary>
/// <param name="Summary">One line for the trial record, e.g. "quantize int8-static: 12 of 40 nodes quantized".</param>
/// <param name="QuantizedLayers">Layers a quantizing pass turned to integers (what the search may keep in float); null for other passes.</param>
/// <param name="Advisories">Advisories a build must see (the others stay in <paramref name="Summary"/>'s pass report).</param>
public sealed record PassApplication(OnnxModel Model, string Summary, int? QuantizedLayers, IReadOnlyList<Advisory> Advisories)
{
    /// <summary>ONNX Runtime's fusion report of <see cref="Model"/>, when the pass already read it (quantize); verification reuses it.</summary>
    public FusionReport? Fusion { get; init; }

    /// <summary>Lines for the run's progress trace (quantize: what <c>rounding: auto</c> and the long-tailed ranges chose, or that they reused an earlier choice).</summary>
    public IReadOnlyList<string> Trace { get; init; } = [];
}
