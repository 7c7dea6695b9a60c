namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// The pinned float arrays of <see cref="RowChunk"/>s, kept from one capture stage for the next. Every stage allocated its layers' chunks
/// afresh, and every first write to a fresh 4 kB page faults: the recognizer's SparseGPT capture at 32 lines took about 8,500 page faults for
/// them on the fold threads, of its 20,000-28,000 (a temporary per-stage counter of /proc/self/stat's minflt; on this VM a fault of a fresh
/// page costs about 15 µs). An array handed back is handed out again for a request it fits at most twice over, smallest first.
/// </summary>
internal sealed class ChunkBuffers(long maxKeptBytes)
{
    /// <summary>The arrays kept between stages stop at 64 MB: a layer's chunk takes about 4 MB a side (up to 16 MB for a depthwise layer of thousands of groups).</summary>
    public static ChunkBuffers Shared { get; } = new(64L << 20);

    private readonly Lock gate = new();
    private readonly List<float[]> kept = [];
    private long keptBytes;

    /// <summary>Bytes of the arrays handed back and not handed out again.</summary>
    public long KeptBytes
    {
        get
        {
            lock (gate)
            {
                return keptBytes;
            }
        }
    }

    /// <returns>An array of at least <paramref name="length"/> floats, pinned, its values whatever an earlier chunk left.</returns>
    public float[] Rent(int length)
    {
        lock (gate)
        {
            var best = -1;
            for (var i = 0; i < kept.Count; i++)
            {
                if (kept[i].Length >= length && kept[i].Length <= 2L * length && (best < 0 || kept[i].Length < kept[best].Length))
                {
                    best = i;
                }
            }

            if (best >= 0)
            {
                var array = kept[best];
                kept.RemoveAt(best);
                keptBytes -= (long)array.Length * sizeof(float);
                return array;
            }
        }

        return GC.AllocateUninitializedArray<float>(length, pinned: true);
    }

    /// <summary>Keeps <paramref name="array"/> for a later <see cref="Rent"/> while the kept bytes stay within the limit; the caller no longer reads or writes it.</summary>
    public void Return(float[] array)
    {
        lock (gate)
        {
            var bytes = (long)array.Length * sizeof(float);
            if (keptBytes + bytes <= maxKeptBytes)
            {
                kept.Add(array);
                keptBytes += bytes;
            }
        }
    }
}
