using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// One sample's run of a <see cref="StageProbe"/>: the stage's layer inputs, read in place in ONNX Runtime's buffers (or in the sample's
/// and the spill's tensors where the run did not compute them), valid until disposed, so the matrices can take them on another thread
/// while the next sample runs; and the tensors to spill, copied out.
/// </summary>
internal sealed class StageValues : IDisposable
{
    private readonly HostTensor?[] given;
    private readonly int[] kept;
    private readonly ObservedOutputs? outputs;

    /// <param name="given">Per layer input, the tensor it is when the run did not compute it (null where it did).</param>
    /// <param name="kept">Per layer input, its place among <paramref name="outputs"/> where <paramref name="given"/> holds null.</param>
    public StageValues(HostTensor?[] given, int[] kept, ObservedOutputs? outputs, HostTensor[] spill)
    {
        this.given = given;
        this.kept = kept;
        this.outputs = outputs;
        Spill = spill;
    }

    /// <summary>The tensors to spill for the next stage, in the plan's order; the probe's next run overwrites the ones it computed.</summary>
    public HostTensor[] Spill { get; }

    public int ElementType(int layer) => given[layer]?.ElementType ?? outputs!.ElementType(kept[layer]);

    public long[] Shape(int layer) => given[layer]?.Shape ?? outputs!.Shape(kept[layer]);

    /// <summary>Layer input <paramref name="layer"/>, which must be float.</summary>
    public ReadOnlySpan<float> Values(int layer) => given[layer] is { } tensor ? tensor.AsSpan<float>() : outputs!.Values(kept[layer]);

    public void Dispose() => outputs?.Dispose();
}
