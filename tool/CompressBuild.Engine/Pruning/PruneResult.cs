using System.Text.Json.Serialization;
using CompressBuild.Engine.Onnx;

namespace CompressBuild.Engine.Pruning;

/// <param name="Model">The pruned model (a copy; the input model is not changed).</param>
/// <param name="ParametersBefore">All float weights of the model (initializers and Constant nodes) before pruning.</param>
/// <param name="ZipBytesBefore">Deflate-compressed size of the serialized model, which is what a package ships.</param>
/// <param name="ChannelGroups">Channel method: the coupled channel groups found and what was kept.</param>
/// <remarks>Serializes as <c>prune --json</c> prints it: without the model itself and the reconstruction's timings (round_to auto's confirming times are in, under roundTo).</remarks>
public sealed record PruneResult(
    [property: JsonIgnore] OnnxModel Model,
    PruneMethod Method,
    double RequestedSparsity,
    IReadOnlyList<LayerSparsity> Layers,
    long ParametersBefore,
    long ParametersAfter,
    long NonZeroBefore,
    long NonZeroAfter,
    long ZipBytesBefore,
    long ZipBytesAfter,
    IReadOnlyList<ChannelGroupReport> ChannelGroups,
    IReadOnlyList<PruneAdvisory> Advisories)
{
    /// <summary>What the layer-wise reconstruction cost (<see cref="ReconstructionTiming.None"/> when it did not run).</summary>
    [JsonIgnore]
    public Reconstruction.ReconstructionTiming Reconstruction { get; init; } = CompressBuild.Engine.Reconstruction.ReconstructionTiming.None;

    /// <summary>Channel method with round_to auto (the default): the round_to chosen, why, and the times measured to confirm it.</summary>
    public RoundToDecision? RoundTo { get; init; }

    /// <summary>Channel method with allocation latency: the measured latency table, where it came from, the budget and the plan's predicted saving.</summary>
    public LatencyAllocationReport? Latency { get; init; }

    /// <summary>Zeros and removed weights over the prunable layers' original parameters.</summary>
    public double MeasuredSparsity
    {
        get
        {
            var before = Layers.Sum(l => l.ParametersBefore);
            return before == 0 ? 0 : 1.0 - ((double)Layers.Sum(l => l.ParametersAfter - l.ZerosAfter) / before);
        }
    }
}
