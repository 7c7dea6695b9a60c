using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization;

/// <summary>The model being rewritten by one pass and the account the pass keeps of what it did.</summary>
internal sealed class QuantizationWork(OnnxModel model, QuantizationOptions options)
{
    public OnnxModel Model { get; } = model;

    public ModelProto Proto => Model.Proto;

    public GraphProto Graph => Model.Graph;

    public QuantizationOptions Options { get; } = options;

    public List<NodeDecision> Decisions { get; } = [];

    public List<QuantizationAdvisory> Advisories { get; } = [];

    /// <summary>What the pass rewrote before quantizing (exact rewrites that let ONNX Runtime fuse more), one line each.</summary>
    public List<string> FusionRewrites { get; } = [];

    /// <summary>The nodes every mode leaves float (exclude_nodes, exclude_op_types), checked once per model.</summary>
    public NodeExclusions Exclusions { get; set; } = NodeExclusions.None;

    public bool PerChannelAllowed { get; set; } = true;

    public double CalibrationMilliseconds { get; set; }

    /// <summary>The process's CPU time over the same span as <see cref="CalibrationMilliseconds"/> (every thread: ONNX Runtime's and the folding).</summary>
    public double CalibrationCpuMilliseconds { get; set; }

    /// <summary>Histograms already gathered for this model's activations (by mixed precision's repeated runs), or null.</summary>
    public IDictionary<string, Calibration.ActivationHistogram>? Histograms { get; init; }

    public void Quantized(NodeProto node, string detail, string? originalOpType = null) => Decisions.Add(new NodeDecision(node.Name, originalOpType ?? node.OpType, true, detail));

    public void LeftFloat(NodeProto node, string reason) => Decisions.Add(new NodeDecision(node.Name, node.OpType, false, reason));

    public void Advise(DiagnosticCode code, string message) => Advisories.Add(new QuantizationAdvisory(code.Id, message));
}
