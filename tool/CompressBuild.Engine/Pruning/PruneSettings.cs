using System.Globalization;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning;

/// <summary>What to prune and how. <see cref="Validate"/> turns every bad value or combination into a CB20xx error.</summary>
public sealed record PruneSettings
{
    public PruneMethod Method { get; init; } = PruneMethod.Magnitude;

    /// <summary>Fraction of weights (magnitude, block) or of channels (channel) to remove, in [0, 1). Not used by N:M.</summary>
    public double? Sparsity { get; init; }

    public SparsityScope Scope { get; init; } = SparsityScope.Global;

    /// <summary>Null: distortion for the channel method with calibration data (measured better on the detector), uniform otherwise.</summary>
    public SparsityAllocation? Allocation { get; init; }

    public SparsityAllocation AllocationEffective =>
        Allocation ?? (Method == PruneMethod.Channel && CalibrationData is not null ? SparsityAllocation.Distortion : SparsityAllocation.Uniform);

    /// <summary>
    /// Allocation latency: the latency table's file. Read when it exists (it must match the model, input size, CPU class and ONNX Runtime
    /// version, and cover the plan: CB2054); measured and written when it does not. Null: <see cref="LatencyCache"/>.
    /// </summary>
    public string? LatencyTable { get; init; }

    /// <summary>
    /// Allocation latency: remove until the latency table predicts this speed-up over the original model (1 thread); null: the time the uniform
    /// ratio saves. The widths tried stay 0.5-2x the sparsity, so a high target wants a higher sparsity too.
    /// </summary>
    public double? TargetSpeedup { get; init; }

    /// <summary>Allocation latency without <see cref="LatencyTable"/>: the folder tables are cached in by content key (null: measured every run).</summary>
    public string? LatencyCache { get; init; }

    public NmPattern? Pattern { get; init; }

    public BlockShape? Block { get; init; }

    public ChannelImportance Importance { get; init; } = ChannelImportance.L2;

    /// <summary>Channel counts stay multiples of this (channel method).</summary>
    public int RoundTo { get; init; } = 1;

    /// <summary>
    /// Channel method (compress.yaml <c>round_to: auto</c>, the default there and on the command line; false here so code that
    /// builds settings gets exactly the round_to it sets): round_to is this CPU's NCHWc block (16 with AVX-512, 8 with AVX2)
    /// unless that plan removes too few multiply-adds (<see cref="Structured.AutoRounding"/>); <see cref="RoundTo"/> is then not used.
    /// </summary>
    public bool RoundToAuto { get; init; }

    /// <summary>
    /// Channel method: samples (a dataset path, see <see cref="Evaluation.DatasetLoader"/>) for activation-aware
    /// importance and for folding each removed channel's mean into the next layer's bias.
    /// </summary>
    public string? CalibrationData { get; init; }

    /// <summary>
    /// Re-solve the remaining weights on the calibration data (layer-wise least squares after channel removal;
    /// SparseGPT-style masks for magnitude and N:M). Null means on whenever <see cref="CalibrationData"/> is given.
    /// </summary>
    public bool? Reconstruct { get; init; }

    public bool ReconstructEffective => Reconstruct ?? CalibrationData is not null;

    /// <summary>How many calibration samples to read at most.</summary>
    public int CalibrationSamples { get; init; } = 128;

    public IReadOnlyList<string> ExcludeNodes { get; init; } = [];

    public IReadOnlyList<string> ExcludeOpTypes { get; init; } = [];

    /// <summary>The nodes every pruning method leaves alone, checked against <paramref name="graph"/> (CB2044 names <paramref name="file"/>).</summary>
    public NodeExclusions Exclusions(GraphProto graph, string file) => NodeExclusions.Create(ExcludeNodes, ExcludeOpTypes, GraphNodes.All(graph), file);

    public double EffectiveSparsity => Method == PruneMethod.NM ? (Pattern ?? NmPattern.TwoFour).Sparsity : Sparsity ?? 0.5;

    /// <remarks>
    /// Messages name settings by their compress.yaml key (sparsity, calibration.data), which the CLI's options are
    /// derived from (--sparsity, --calibration-data): a build and a command line show the same text.
    /// </remarks>
    public void Validate()
    {
        var method = PruneMethods.Of(Method);
        if (Reconstruct == true && CalibrationData is null)
        {
            throw new CompressBuildException(DiagnosticCodes.ReconstructionNeedsCalibration,
                "reconstruct re-solves the remaining weights on calibration data: give calibration.data (a file or folder), or set reconstruct to false.");
        }

        if (Sparsity is { } s && (double.IsNaN(s) || s < 0 || s >= 1))
        {
            throw new CompressBuildException(DiagnosticCodes.PruneSparsityOutOfRange,
                string.Create(CultureInfo.InvariantCulture, $"sparsity {s} is outside [0, 1): give the fraction to remove, e.g. 0.5 for half."));
        }

        Conflict(!method.TakesSparsity && Sparsity is not null, $"sparsity does not apply to method {method.Name}: the pattern fixes it (2:4 is 50%)");
        Conflict(Method != PruneMethod.NM && Pattern is not null, $"pattern applies only to method {PruneMethods.NM.Name}");
        Conflict(Method != PruneMethod.Block && Block is not null, $"block applies only to method {PruneMethods.Block.Name}");
        Conflict(Method != PruneMethod.Magnitude && Allocation == SparsityAllocation.Lamp, $"allocation lamp applies only to method {PruneMethods.Magnitude.Name}");
        Conflict(Method is not (PruneMethod.Channel or PruneMethod.Magnitude) && Allocation == SparsityAllocation.Distortion,
            $"allocation distortion applies only to methods {PruneMethods.Channel.Name} and {PruneMethods.Magnitude.Name}");
        Conflict(Allocation == SparsityAllocation.Distortion && CalibrationData is null, "allocation distortion measures each group's output distortion on calibration.data: pass it");
        Conflict(Method != PruneMethod.Channel && Allocation == SparsityAllocation.Latency, $"allocation latency applies only to method {PruneMethods.Channel.Name}");
        Conflict(Allocation == SparsityAllocation.Latency && CalibrationData is null,
            "allocation latency weighs each group's output distortion on calibration.data against its measured time: pass it");
        Conflict(LatencyTable is not null && Allocation != SparsityAllocation.Latency, "latency_table applies only to allocation latency");
        Conflict(TargetSpeedup is not null && Allocation != SparsityAllocation.Latency, "target_speedup applies only to allocation latency");
        Conflict(TargetSpeedup is { } speedup && !(speedup > 1), string.Create(CultureInfo.InvariantCulture, $"target_speedup must be above 1, got {TargetSpeedup}"));
        Conflict(Method != PruneMethod.Magnitude && Allocation == SparsityAllocation.Owl, $"allocation owl applies only to method {PruneMethods.Magnitude.Name}");
        Conflict(Allocation == SparsityAllocation.Owl && CalibrationData is null, "allocation owl weighs each layer's weights by its input activations on calibration.data: pass it");
        Conflict(Method == PruneMethod.Magnitude && Allocation is SparsityAllocation.Owl or SparsityAllocation.Distortion && Scope == SparsityScope.Global,
            $"allocation {(Allocation == SparsityAllocation.Owl ? "owl" : "distortion")} sets each layer's sparsity; use scope layer with it");
        Conflict(Method == PruneMethod.Magnitude && Allocation == SparsityAllocation.Lamp && Scope == SparsityScope.Layer,
            "allocation lamp ranks weights across layers; it cannot be combined with scope layer");
        Conflict(Method != PruneMethod.Channel && (Importance != ChannelImportance.L2 || RoundTo != 1 || RoundToAuto), $"importance and round_to apply only to method {PruneMethods.Channel.Name}");
        Conflict(RoundTo < 1, $"round_to must be 1 or more, got {RoundTo}");
        Conflict(!method.ReadsCalibration && CalibrationData is not null, $"calibration.data does not apply to method {method.Name}");
        Conflict(Method is PruneMethod.Magnitude or PruneMethod.NM && CalibrationData is not null && Reconstruct == false,
            $"calibration.data with method {method.Name} is only used by reconstruct; drop one of them");
        Conflict(Importance == ChannelImportance.Activation && CalibrationData is null, "importance activation needs calibration.data");
        Conflict(CalibrationSamples < 1, $"calibration.samples must be 1 or more, got {CalibrationSamples}");
    }

    private static void Conflict(bool condition, string message)
    {
        if (condition)
        {
            throw new CompressBuildException(DiagnosticCodes.PruneOptionConflict, message + ".");
        }
    }
}
