namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>Keeps chosen indices of one axis of a dense row-major tensor.</summary>
internal static class TensorSlicing
{
    public static float[] Keep(float[] values, long[] dims, int axis, IReadOnlyList<int> kept)
    {
        long outer = 1, inner = 1;
        for (var d = 0; d < axis; d++)
        {
            outer *= dims[d];
        }

        for (var d = axis + 1; d < dims.Length; d++)
        {
            inner *= dims[d];
        }

        var result = new float[outer * kept.Count * inner];
        var span = values.AsSpan();
        long target = 0;
        for (long o = 0; o < outer; o++)
        {
            foreach (var k in kept)
            {
                span.Slice((int)(((o * dims[axis]) + k) * inner), (int)inner).CopyTo(result.AsSpan((int)target, (int)inner));
                target += inner;
            }
        }

        dims[axis] = kept.Count;
        return result;
    }

    /// <summary>Calls <paramref name="visit"/> with each contiguous run of elements at <paramref name="index"/> on <paramref name="axis"/>.</summary>
    public static void ForEachRun(ReadOnlySpan<float> values, IReadOnlyList<long> dims, int axis, int index, SpanAction visit)
    {
        foreach (var (start, length) in Runs(dims, axis, index))
        {
            visit(values.Slice(start, length));
        }
    }

    /// <summary>Zeroes every element at <paramref name="index"/> on <paramref name="axis"/> (a channel removal emulated in place).</summary>
    public static void Clear(float[] values, IReadOnlyList<long> dims, int axis, int index)
    {
        foreach (var (start, length) in Runs(dims, axis, index))
        {
            values.AsSpan(start, length).Clear();
        }
    }

    private static IEnumerable<(int Start, int Length)> Runs(IReadOnlyList<long> dims, int axis, int index)
    {
        long outer = 1, inner = 1;
        for (var d = 0; d < axis; d++)
        {
            outer *= dims[d];
        }

        for (var d = axis + 1; d < dims.Count; d++)
        {
            inner *= dims[d];
        }

        for (long o = 0; o < outer; o++)
        {
            yield return ((int)(((o * dims[axis]) + index) * inner), (int)inner);
        }
    }

    internal delegate void SpanAction(ReadOnlySpan<float> run);
}
