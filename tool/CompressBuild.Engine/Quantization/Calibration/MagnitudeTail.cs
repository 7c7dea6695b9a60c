using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>
/// The exact largest |x| of a stream of values, at least <see cref="Keep"/> of them, in a fixed buffer: a value is taken only
/// when its magnitude is above <see cref="Threshold"/>, and when the buffer fills, the <see cref="Keep"/> largest stay and the
/// threshold rises to the smallest of them. Every value left out is at most every value kept, so the k-th largest of the kept
/// values is the k-th largest of the whole stream for any k up to <see cref="Count"/>. A high percentile of |x| (99.999: the top
/// 0.001%) needs only these few values instead of a histogram of all of them.
/// </summary>
internal sealed class MagnitudeTail
{
    /// <summary>Room beyond <see cref="Keep"/> before a selection: one selection per this many values taken.</summary>
    private const int Slack = 1024;

    private readonly float[] buffer;

    public MagnitudeTail(int keep)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        Keep = keep;
        buffer = new float[Math.Max(2 * keep, keep + Slack)];
    }

    /// <summary>How many of the largest magnitudes survive every selection.</summary>
    public int Keep { get; }

    /// <summary>Magnitudes at or below this cannot be among the largest <see cref="Keep"/>; -1 until the first selection.</summary>
    public float Threshold { get; private set; } = -1f;

    /// <summary>Magnitudes held: the largest of all offered so far (at least <see cref="Keep"/> once that many were offered).</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Takes the magnitudes above <see cref="Threshold"/>; the caller skips spans it knows hold none (a vector compare). Here too only the
    /// vectors with a magnitude above the threshold go through the scalar loop: a span the caller hands over for one value above it would
    /// otherwise cost a scalar step for each of its values (on the PP-OCR classifier, most of the folding time).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Offer(ReadOnlySpan<float> values)
    {
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        var width = Vector<float>.Count;
        var threshold = new Vector<float>(Threshold);
        for (var j = 0; j < vectors.Length; j++)
        {
            // The threshold only rises, so a vector with no magnitude above the one read before holds none to take.
            if (Vector.GreaterThanAny(Vector.Abs(vectors[j]), threshold))
            {
                OfferEach(values.Slice(j * width, width));
                threshold = new Vector<float>(Threshold);
            }
        }

        OfferEach(values[(vectors.Length * width)..]);
    }

    private void OfferEach(ReadOnlySpan<float> values)
    {
        foreach (var v in values)
        {
            var magnitude = Math.Abs(v);
            if (magnitude > Threshold)
            {
                if (Count == buffer.Length)
                {
                    Select();
                    if (magnitude <= Threshold)
                    {
                        continue;
                    }
                }

                buffer[Count++] = magnitude;
            }
        }
    }

    /// <summary>The <paramref name="rank"/>-th largest magnitude offered (1 = the largest), when the buffer still holds it.</summary>
    public bool TryLargest(long rank, out float value)
    {
        if (rank < 1 || rank > Count)
        {
            value = 0;
            return false;
        }

        var copy = buffer.AsSpan(0, Count).ToArray();
        value = Largest(copy, (int)rank);
        return true;
    }

    /// <summary>Keeps the <see cref="Keep"/> largest magnitudes at the front and raises the threshold to the smallest of them.</summary>
    private void Select()
    {
        Threshold = Largest(buffer.AsSpan(0, Count), Keep);
        Count = Keep;
    }

    /// <summary>
    /// The <paramref name="rank"/>-th largest of <paramref name="values"/> by quickselect (Hoare partitions around the middle
    /// element), reordering them so the <paramref name="rank"/> largest come first. The value is unique whatever the order of
    /// the input, so the result is deterministic.
    /// </summary>
    internal static float Largest(Span<float> values, int rank)
    {
        var target = rank - 1;
        var left = 0;
        var right = values.Length - 1;
        while (left < right)
        {
            var pivot = values[left + ((right - left) / 2)];
            var i = left;
            var j = right;
            while (i <= j)
            {
                while (values[i] > pivot)
                {
                    i++;
                }

                while (values[j] < pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            // Now values[left..j] >= pivot >= values[i..right], and values[j+1..i-1] (if any) equal the pivot.
            if (target <= j)
            {
                right = j;
            }
            else if (target >= i)
            {
                left = i;
            }
            else
            {
                return values[target];
            }
        }

        return values[target];
    }
}
