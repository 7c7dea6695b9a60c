using CompressBuild.Engine.Reconstruction;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

public class ChunkBuffersTests
{
    [Fact]
    public void An_array_handed_back_is_handed_out_again_for_a_request_it_fits()
    {
        var buffers = new ChunkBuffers(1L << 20);
        var first = buffers.Rent(1000);
        buffers.Return(first);

        Assert.Same(first, buffers.Rent(900));
        Assert.Equal(0, buffers.KeptBytes);
    }

    [Fact]
    public void An_array_in_use_is_never_handed_out_twice()
    {
        var buffers = new ChunkBuffers(1L << 20);
        var kept = buffers.Rent(1000);
        buffers.Return(kept);

        var first = buffers.Rent(1000);
        var second = buffers.Rent(1000);

        Assert.NotSame(first, second);
        Assert.True(second.Length >= 1000);
    }

    [Fact]
    public void A_request_gets_the_smallest_kept_array_that_fits_and_none_more_than_twice_its_size()
    {
        var buffers = new ChunkBuffers(1L << 20);
        var large = buffers.Rent(4000);
        var medium = buffers.Rent(1500);
        var small = buffers.Rent(500);
        buffers.Return(large);
        buffers.Return(medium);
        buffers.Return(small);

        Assert.Same(medium, buffers.Rent(1200));
        var fresh = buffers.Rent(1600);
        Assert.NotSame(large, fresh);
        Assert.Equal(1600, fresh.Length);
        Assert.Same(small, buffers.Rent(400));
    }

    [Fact]
    public void The_arrays_kept_stop_at_the_limit()
    {
        var buffers = new ChunkBuffers(3000 * sizeof(float));
        var arrays = Enumerable.Range(0, 4).Select(_ => buffers.Rent(1000)).ToList();
        arrays.ForEach(buffers.Return);

        Assert.Equal(3000 * sizeof(float), buffers.KeptBytes);
        Assert.Equal(3, Enumerable.Range(0, 4).Select(_ => buffers.Rent(1000)).Count(a => arrays.Contains(a)));
    }

    [Fact]
    public void A_released_chunk_gives_its_arrays_to_the_next_chunk_of_the_same_layer()
    {
        var buffers = new ChunkBuffers(64L << 20);
        var first = new RowChunk(26, paired: true, groups: 3, buffers);
        first.Release();

        var next = new RowChunk(26, paired: true, groups: 3, buffers);

        Assert.True(ReferenceEquals(next.Left, first.Left) || ReferenceEquals(next.Left, first.Right));
        Assert.True(ReferenceEquals(next.Right, first.Left) || ReferenceEquals(next.Right, first.Right));
        Assert.NotSame(next.Left, next.Right);
    }
}
