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

    /// <summary>Appends one sample's tensors, in the plan's order.</summary>
    public void Write(IReadOnlyList<HostTensor> tensors)
    {
        if (Failed || tensors.Any(t => t.IsString))
        {
            Failed = true;
            return;
        }

        foreach (var tensor in tensors)
        {
            writer.Write(tensor.ElementType);
            writer.Write(tensor.Shape.Length);
            foreach (var d in tensor.Shape)
            {
                writer.Write(d);
            }

            writer.Write(tensor.Data.Length);
            writer.Write(tensor.Data);
        }
    }

    public void Dispose() => writer.Dispose();
}
