namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// Rows of one layer group waiting to be added to its Gram (and cross) matrix, column-major with a fixed column
/// stride. Rows of many small samples pile up before a flush, so each Gram entry is one long dot product instead
/// of many short ones (the digits CNNs give 64 rows a sample).
/// </summary>
internal sealed class RowChunk
{
    private const int MaxFloats = 1 << 20;

    /// <summary>
    /// Rows a chunk holds at least, whatever the layer's groups: the recognizer's depthwise 5x5 layers (240-480 groups of 25 columns) flushed
    /// every 87-174 rows, where each register block's horizontal sums and row tail cost as much as its products (12.8 MB for 480 groups).
    /// </summary>
    private const int MinCapacity = 256;

    private readonly ChunkBuffers buffers;

    /// <param name="buffers">Where the arrays come from and go back to (<see cref="ChunkBuffers.Shared"/> unless given).</param>
    public RowChunk(int width, bool paired, int groups, ChunkBuffers? buffers = null)
    {
        this.buffers = buffers ?? ChunkBuffers.Shared;
        Width = width;
        // A multiple of 16 rows, so a full chunk leaves no row tail to the Gram kernel's 8- or 16-float vectors. The minimum gives way (down to
        // 64 rows) where it would pass 4 x MaxFloats a side: chunks sit outside the stage's Gram budget, and a 3,840-group depthwise layer's
        // would be 102 MB a side.
        var columns = Math.Max(1, width * Math.Max(1, groups));
        Capacity = Math.Clamp(MaxFloats / columns, Math.Clamp(4 * MaxFloats / columns, 64, MinCapacity), 16384) & ~15;
        // Not zeroed: only rows below Filled are read, and Fill writes every column of those. Each stage takes its layers' chunks
        // (12.8 MB for a 480-group depthwise layer); zeroing them was 114 of the fold's 3,631 perf samples (recognizer SparseGPT, 32 lines).
        // Pinned, on the pinned-object heap: a depthwise layer's hundreds of 25.6 kB chunks filled gen 0 and were copied into gen 1 and 2 by the
        // collections they set off at each stage's start (the recognizer's capture at 32 lines paused about 200 ms in collections, 55-70 ms with the chunks pinned).
        // Taken from the arrays earlier stages handed back, whose pages are already mapped.
        Left = this.buffers.Rent(Capacity * width);
        Right = paired ? this.buffers.Rent(Capacity * width) : null;
    }

    public int Width { get; }

    public int Capacity { get; }

    public float[] Left { get; }

    public float[]? Right { get; }

    public int Filled { get; set; }

    public void Flush(GramMatrix gram, GramMatrix? cross, OutputCross? teacherOutput)
    {
        if (Filled == 0)
        {
            return;
        }

        gram.Add(Left, Filled, Capacity);
        cross?.AddCross(Left, Right!, Filled, Capacity);
        teacherOutput?.Add(Left, Right!, Filled, Capacity);

        Filled = 0;
    }

    /// <summary>Hands the arrays back for a later stage's chunks; call it once this chunk is flushed for the last time and nothing reads it.</summary>
    public void Release()
    {
        buffers.Return(Left);
        if (Right is not null)
        {
            buffers.Return(Right);
        }
    }
}
