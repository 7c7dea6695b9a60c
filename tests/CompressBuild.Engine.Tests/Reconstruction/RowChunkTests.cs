using CompressBuild.Engine.Reconstruction;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

public class RowChunkTests
{
    /// <summary>
    /// A chunk's arrays are not zeroed: after a full flush, rows written over the stale ones and flushed as a partial chunk (the end of a stage)
    /// give exactly the sums of the new rows, however poisoned the rows above <see cref="RowChunk.Filled"/> are (NaN would spread into every entry).
    /// </summary>
    [Theory]
    [InlineData(7, 1, false)]
    [InlineData(26, 480, true)]
    [InlineData(13, 3, true)]
    public void A_partial_flush_after_a_full_one_sums_only_the_rows_written_since(int width, int groups, bool paired)
    {
        var chunk = new RowChunk(width, paired, groups);
        chunk.Left.AsSpan().Fill(float.NaN);
        chunk.Right?.AsSpan().Fill(float.NaN);
        chunk.Filled = chunk.Capacity;
        chunk.Flush(new GramMatrix(width), paired ? new GramMatrix(width) : null, null);
        Assert.Equal(0, chunk.Filled);

        var rows = (chunk.Capacity / 2) + 3;
        var random = new Random(width + groups);
        for (var c = 0; c < width; c++)
        {
            for (var r = 0; r < rows; r++)
            {
                chunk.Left[(c * chunk.Capacity) + r] = (float)(random.NextDouble() - 0.5);
                if (chunk.Right is not null)
                {
                    chunk.Right[(c * chunk.Capacity) + r] = (float)(random.NextDouble() - 0.5);
                }
            }
        }

        chunk.Filled = rows;
        var gram = new GramMatrix(width);
        var cross = paired ? new GramMatrix(width) : null;
        chunk.Flush(gram, cross, null);
        var expected = new GramMatrix(width);
        var packed = new float[width * rows];
        for (var c = 0; c < width; c++)
        {
            chunk.Left.AsSpan(c * chunk.Capacity, rows).CopyTo(packed.AsSpan(c * rows));
        }

        expected.Add(packed, rows, rows);
        Assert.Equal(expected.Values, gram.Values);
        Assert.All(cross?.Values ?? [], v => Assert.True(double.IsFinite(v)));
    }

    /// <summary>
    /// The 256-row minimum times the groups: a 5x5 depthwise layer of 3,840 channels (EfficientNet-B7's widest) took 64 rows x 26 x 3,840 floats
    /// (25.6 MB a side) before the minimum and 256 rows (102 MB a side, 204 MB with a teacher) after it, all outside the stage's Gram budget and
    /// ten times that layer's Gram matrices (20.8 MB). The recognizer's 480-group layers (the minimum's reason, 12.8 MB) stay at 256 rows.
    /// </summary>
    [Theory]
    [InlineData(26, 480, 256)]
    [InlineData(26, 3840, 64)]
    [InlineData(10, 1024, 256)]
    [InlineData(50, 3072, 64)]
    public void The_row_minimum_gives_way_where_it_would_pass_16_MiB_a_side(int width, int groups, int expected)
    {
        var chunk = new RowChunk(width, paired: true, groups);
        Assert.Equal(expected, chunk.Capacity);
        Assert.True((long)chunk.Capacity * width * groups * sizeof(float) <= Math.Max(16L << 20, 64L * width * groups * sizeof(float)));
    }
}
