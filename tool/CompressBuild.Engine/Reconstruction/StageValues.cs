using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// One sample's run of a <see cref="StageProbe"/>: the stage's layer inputs and the tensors it spills for the next stage, read in place in
/// ONNX Runtime's buffers (or in the sample's and the previous spill's tensors where the run did not compute them), valid until disposed,
/// so the matrices and the spill file can take them on another thread while the next sample runs.
/// </summary>
internal sealed class StageValues : IDisposable
{
    private readonly HostTensor?[] given;
    private readonly int[] kept;
    private readonly ObservedOutputs? outputs;
    private readonly int layers;

    /// <param name="given">Per layer input, then per spilled tensor, the tensor it is when the run did not compute it (null where it did).</param>
    /// <param name="kept">For each entry of <paramref name="given"/>, its place among <paramref name="outputs"/> where <paramref name="given"/> holds null.</param>
    /// <param name="layers">How many of the entries are layer inputs; the rest are the spilled tensors, in the plan's order.</param>
    public StageValues(HostTensor?[] given, int[] kept, ObservedOutputs? outputs, int layers)
    {
        this.given = given;
        this.kept = kept;
        this.outputs = outputs;
        this.layers = layers;
    }

    public int ElementType(int layer) => given[layer]?.ElementType ?? outputs!.ElementType(kept[layer]);

    public long[] Shape(int layer) => given[layer]?.Shape ?? outputs!.Shape(kept[layer]);

    /// <summary>Layer input <paramref name="layer"/>, which must be float.</summary>
    public ReadOnlySpan<float> Values(int layer) => given[layer] is { } tensor ? tensor.AsSpan<float>() : outputs!.Values(kept[layer]);

    public int SpillElementType(int spilled) => ElementType(layers + spilled);

    public long[] SpillShape(int spilled) => Shape(layers + spilled);

    /// <summary>Spilled tensor <paramref name="spilled"/>'s bytes, which must not be strings.</summary>
    public ReadOnlySpan<byte> SpillBytes(int spilled) => given[layers + spilled] is { } tensor
        ? (tensor.IsString ? throw new NotSupportedException($"'{tensor.Name}' holds strings.") : tensor.Data)
        : outputs!.Bytes(kept[layers + spilled]);

    public bool SpillIsString(int spilled) => SpillElementType(spilled) == (int)TensorProto.Types.DataType.String;

    public void Dispose() => outputs?.Dispose();
}
