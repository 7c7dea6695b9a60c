using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// Streams a capture stage's boundary tensors (<see cref="StageRun.Spill"/>) to a temporary file, one sample after another,
/// so the next stage starts from them and memory holds one sample's boundary at a time. String tensors are not spilled:
/// the writer then gives up (<see cref="Failed"/>) and the next stage runs from the graph inputs as before.
/// </summary>
internal sealed class SpillWriter : IDisposable
{
    private readonly BinaryWriter writer;

    public SpillWriter(string path)
    {
        Path = path;
        writer = new BinaryWriter(new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16));
    }

    public string Path { get; }

    public bool Failed { get; private set; }

    /// <summary>Appends one sample's spilled tensors <paramref name="picks"/> of <paramref name="values"/>, in that order.</summary>
    public void Write(StageValues values, IReadOnlyList<int> picks)
    {
        if (Failed || picks.Any(values.SpillIsString))
        {
            Failed = true;
            return;
        }

        foreach (var p in picks)
        {
            writer.Write(values.SpillElementType(p));
            var shape = values.SpillShape(p);
            writer.Write(shape.Length);
            foreach (var d in shape)
            {
                writer.Write(d);
            }

            var bytes = values.SpillBytes(p);
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }
    }

    public void Dispose() => writer.Dispose();
}
