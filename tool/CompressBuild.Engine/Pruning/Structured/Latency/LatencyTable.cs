namespace CompressBuild.Engine.Pruning.Structured.Latency;

/// <summary>
/// Per channel group, the measured time of the nodes its width changes at each candidate width (ALCS's latency lookup table):
/// what <c>allocation: latency</c> spends. Written to and read from JSON (<see cref="LatencyTableFile"/>), so a cached table
/// makes the allocation, and so the pruned model's bytes, independent of timing noise.
/// </summary>
/// <param name="Key">What the times depend on: the model's content, the input sizes, the CPU class and the ONNX Runtime version (hashed).</param>
/// <param name="Machine">The CPU class (<see cref="Evaluation.MachineProbe"/>'s id) and ONNX Runtime version, readable.</param>
public sealed record LatencyTable(string Key, string Machine, IReadOnlyList<LatencyTableGroup> Groups)
{
    /// <summary>The whole original model's median time (ms, 1 thread, thread CPU time), against which a target speed-up sets the budget.</summary>
    public double ModelMs { get; init; }

    /// <summary>The group's row by its producers, or null.</summary>
    public LatencyTableGroup? Find(string producers) => Groups.FirstOrDefault(g => g.Producers == producers);
}
