using CompressBuild.Engine.Pruning.Unstructured;
using CompressBuild.Engine.Reconstruction;
using Xunit;

namespace CompressBuild.Engine.Tests.Pruning.Unstructured;

public class TapMajorTests
{
    /// <summary>3 channels x 2 taps: channel-major column i * 2 + t becomes tap-major t * 3 + i, and back.</summary>
    [Fact]
    public void Columns_go_tap_major_and_back_and_the_gram_matrix_follows_them()
    {
        double[] rows = [0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121];
        var tapMajor = TapMajor.Rows(rows, 2, taps: 2, toTapMajor: true);
        Assert.Equal([0, 10, 20, 1, 11, 21, 100, 110, 120, 101, 111, 121], tapMajor);
        Assert.Equal(rows, TapMajor.Rows(tapMajor, 2, taps: 2, toTapMajor: false));

        var gram = new GramMatrix(6);
        for (var i = 0; i < 36; i++)
        {
            gram.Values[i] = ((i / 6) * 10) + (i % 6);
        }

        // Entry (a, b) of the permuted matrix is entry (original a, original b): tap-major 1 is channel-major 2, tap-major 3 is channel-major 1.
        var permuted = TapMajor.Gram(gram, taps: 2);
        Assert.Equal(gram.Values[(2 * 6) + 1], permuted.Values[(1 * 6) + 3]);
        Assert.Same(gram, TapMajor.Gram(gram, taps: 1));
    }
}
