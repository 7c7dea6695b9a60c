using CompressBuild.Engine.Reconstruction;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

public class SparseGptExactnessTests
{
    [Fact]
    public void At_zero_sparsity_the_sweep_gives_back_the_dense_weights()
    {
        var (gram, rows) = Layer(columns: 40, outputs: 6, samples: 400, seed: 1);
        var pruned = (double[])rows.Clone();
        SparseGpt.Prune(gram, pruned, 6, 0L);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal(rows[i], pruned[i], 1e-9);
        }
    }

    [Theory]
    [InlineData(9, 1, 4)]
    [InlineData(9, 1, 5)]
    [InlineData(300, 3, 451)]
    [InlineData(257, 5, 1)]
    public void The_layer_gets_exactly_the_zeros_asked_for_across_blocks(int columns, int outputs, long zeros)
    {
        var (gram, rows) = Layer(columns, outputs, samples: 2 * columns, seed: columns);
        SparseGpt.Prune(gram, rows, outputs, zeros);
        Assert.Equal(zeros, rows.LongCount(w => w == 0));
    }

    /// <summary>On its own calibration rows, SparseGPT's masks and update must cost less output error than magnitude masks at the same count.</summary>
    [Theory]
    [InlineData(64, 16, 0.5)]
    [InlineData(200, 8, 0.7)]
    public void Its_output_error_on_its_own_rows_is_below_magnitude_pruning(int columns, int outputs, double sparsity)
    {
        var (gram, rows) = Layer(columns, outputs, samples: 3 * columns, seed: 3);
        var zeros = (long)(sparsity * rows.Length);
        var sparse = (double[])rows.Clone();
        SparseGpt.Prune(gram, sparse, outputs, zeros);
        var magnitude = (double[])rows.Clone();
        foreach (var i in Enumerable.Range(0, rows.Length).OrderBy(i => Math.Abs(rows[i])).Take((int)zeros))
        {
            magnitude[i] = 0;
        }

        var sparseError = OutputError(gram, rows, sparse, columns, outputs);
        var magnitudeError = OutputError(gram, rows, magnitude, columns, outputs);
        Assert.True(sparseError < 0.5 * magnitudeError, $"SparseGPT {sparseError:G4}, magnitude {magnitudeError:G4}");
    }

    [Fact]
    public void A_fixed_mask_is_kept_and_the_rest_compensates()
    {
        var (gram, rows) = Layer(columns: 30, outputs: 4, samples: 120, seed: 5);
        var mask = Enumerable.Range(0, rows.Length).Select(i => i % 3 == 0).ToArray();
        var pruned = (double[])rows.Clone();
        SparseGpt.PruneMasked(gram, pruned, 4, mask);
        var masked = rows.Select((w, i) => mask[i] ? 0 : w).ToArray();
        Assert.All(Enumerable.Range(0, rows.Length).Where(i => mask[i]), i => Assert.Equal(0, pruned[i]));
        Assert.True(OutputError(gram, rows, pruned, 30, 4) < OutputError(gram, rows, masked, 30, 4));
    }

    [Fact]
    public void Saliency_is_zero_for_a_dead_input_and_grows_with_the_weight()
    {
        var (gram, rows) = Layer(columns: 10, outputs: 2, samples: 50, seed: 7);
        for (var j = 0; j < 10; j++)
        {
            gram.Values[(3 * 10) + j] = 0;
            gram.Values[(j * 10) + 3] = 0;
        }

        rows[0] = 1;
        rows[1] = 0;
        var saliency = SparseGpt.Saliencies(gram, rows, 2);
        Assert.Equal(0, saliency[3]);
        Assert.Equal(0, saliency[13]);
        Assert.Equal(0, saliency[1]);
        Assert.True(saliency[0] > 0);
    }

    /// <summary>sum over outputs of (w - w')^T H (w - w'): the squared output error on the rows H was built from.</summary>
    private static double OutputError(GramMatrix gram, double[] dense, double[] pruned, int n, int outputs)
    {
        double total = 0;
        for (var o = 0; o < outputs; o++)
        {
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    total += (dense[(o * n) + i] - pruned[(o * n) + i]) * gram.Values[(i * n) + j] * (dense[(o * n) + j] - pruned[(o * n) + j]);
                }
            }
        }

        return total;
    }

    /// <summary>Correlated inputs (a few shared Factors plus noise, as real activations are) and random weights.</summary>
    private static (GramMatrix Gram, double[] Rows) Layer(int columns, int outputs, int samples, int seed)
    {
        var random = new Random(seed);
        const int Factors = 4;
        var loadings = Enumerable.Range(0, Factors * columns).Select(_ => random.NextDouble() - 0.5).ToArray();
        var x = new float[columns * samples];
        for (var r = 0; r < samples; r++)
        {
            var f = Enumerable.Range(0, Factors).Select(_ => (random.NextDouble() * 2) - 1).ToArray();
            for (var c = 0; c < columns; c++)
            {
                var v = 0.3 * ((random.NextDouble() * 2) - 1);
                for (var k = 0; k < Factors; k++)
                {
                    v += f[k] * loadings[(k * columns) + c];
                }

                x[(c * samples) + r] = (float)v;
            }
        }

        var gram = new GramMatrix(columns);
        gram.Add(x, samples, samples);
        gram.Symmetrize();
        var rows = Enumerable.Range(0, outputs * columns).Select(_ => (random.NextDouble() * 2) - 1).ToArray();
        return (gram, rows);
    }
}
