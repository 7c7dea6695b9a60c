using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>Reads back, sample by sample and in order, what a <see cref="SpillWriter"/> wrote.</summary>
internal sealed class SpillReader : IDisposable
{
    private readonly BinaryReader reader;
    private readonly IReadOnlyList<string> names;
    private readonly Queue<HostTensor[]> previous = new();
    private readonly int kept;

    /// <param name="kept">How many samples' tensors before the one read stay untouched (the ones the capture still folds).</param>
    public SpillReader(string path, IReadOnlyList<string> names, int kept)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(kept);
        this.names = names;
        this.kept = kept;
        reader = new BinaryReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan));
    }

    /// <summary>The next sample's tensors, named as the plan names them; the (kept + 1)th call after this one overwrites them (the capture
    /// still folds those samples' while the next runs).</summary>
    public HostTensor[] Read()
    {
        var older = previous.Count > kept ? previous.Dequeue() : null;
        var tensors = new HostTensor[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            var elementType = reader.ReadInt32();
            var shape = new long[reader.ReadInt32()];
            for (var d = 0; d < shape.Length; d++)
            {
                shape[d] = reader.ReadInt64();
            }

            // The tensor of kept + 1 samples back is overwritten where the shape allows: its consumers are done with it.
            var tensor = older?[i] is { } old && old.ElementType == elementType && old.Shape.SequenceEqual(shape) ? old : HostTensor.Zeros(names[i], elementType, shape);
            if (reader.ReadInt32() != tensor.Data.Length)
            {
                throw new InvalidDataException($"the capture's spill file is out of step at tensor '{names[i]}'.");
            }

            reader.BaseStream.ReadExactly(tensor.Data);

            tensors[i] = tensor;
        }

        previous.Enqueue(tensors);
        return tensors;
    }

    public void Dispose() => reader.Dispose();
}
