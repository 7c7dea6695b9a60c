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

    /// <summary>
    /// With a single run (4 columns), the sweep's cost is the whole layer's output error: SparseGPT's 2:4 must pick, for every
    /// output, the cheapest of the 6 masks (each swept with the same OBS update), which ranking the columns by their own
    /// saliency at the run's start does not always do.
    /// </summary>
    [Fact]
    public void A_two_four_run_gets_the_mask_whose_sweep_costs_least_of_all_six()
    {
        const int Outputs = 64;
        var (gram, rows) = Layer(columns: 4, outputs: Outputs, samples: 40, seed: 9);
        var sparse = (double[])rows.Clone();
        SparseGpt.Prune(gram, sparse, Outputs, 0L, keepN: 2, ofM: 4, damping: 1e-9);

        var masks = Enumerable.Range(0, 16).Where(m => System.Numerics.BitOperations.PopCount((uint)m) == 2).ToList();
        var saliency = SparseGpt.Saliencies(gram, rows, Outputs, damping: 1e-9);
        var beaten = 0;
        for (var o = 0; o < Outputs; o++)
        {
            var row = rows.AsSpan(o * 4, 4).ToArray();
            var costs = masks.Select(m =>
            {
                var pruned = (double[])row.Clone();
                SparseGpt.PruneMasked(gram, pruned, 1, Enumerable.Range(0, 4).Select(j => (m & (1 << j)) != 0).ToArray(), damping: 1e-9);
                return OutputError(gram, row, pruned, 4, 1);
            }).ToList();
            var chosen = OutputError(gram, row, sparse.AsSpan(o * 4, 4).ToArray(), 4, 1);
            Assert.Equal(2, sparse.AsSpan(o * 4, 4).ToArray().Count(w => w == 0));
            Assert.True(chosen <= costs.Min() * (1 + 1e-6), $"output {o}: {chosen:G6} against the best {costs.Min():G6}");

            // The mask the first-block saliency alone would zero: the two columns of least w^2 / U_jj^2.
            var bySaliency = Enumerable.Range(0, 4).OrderBy(j => saliency[(o * 4) + j]).Take(2).Aggregate(0, (m, j) => m | (1 << j));
            beaten += costs[masks.IndexOf(bySaliency)] > chosen * (1 + 1e-6) ? 1 : 0;
        }

        Assert.True(beaten > 0, "no output where the exact choice differs from the saliency ranking: the test cannot tell them apart");
    }

    [Theory]
    [InlineData(2, 4, 64)]
    [InlineData(4, 8, 70)]
    [InlineData(1, 4, 12)]
    public void Every_run_of_m_columns_keeps_exactly_n(int n, int m, int columns)
    {
        var (gram, rows) = Layer(columns, outputs: 5, samples: 2 * columns, seed: columns);
        SparseGpt.Prune(gram, rows, 5, 0L, keepN: n, ofM: m);
        for (var o = 0; o < 5; o++)
        {
            for (var start = 0; start < columns; start += m)
            {
                var length = Math.Min(m, columns - start);
                Assert.Equal(Math.Min(n, length), rows.Skip((o * columns) + start).Take(length).Count(w => w != 0));
            }
        }
    }

    /// <summary>sum over outputs of (w - w')^T H (w - w'): the squared output error on the rows H was built from.</summary>
    /// <summary>
    /// Factoring the Gram matrix's own values (a caller that reads it no more) gives the very weights the copy gives, unstructured and 2:4, with a
    /// dead input whose diagonal the sweep sets to 1; the copy's Gram matrix is left as it was.
    /// </summary>
    [Theory]
    [InlineData(200, 6, 0, 0)]
    [InlineData(160, 4, 2, 4)]
    public void Overwriting_the_gram_matrix_gives_the_weights_of_its_copy_bit_for_bit(int columns, int outputs, int keepN, int ofM)
    {
        var (kept, rows) = Layer(columns, outputs, samples: columns + 50, seed: columns + keepN);
        var dead = columns / 3;
        for (var j = 0; j < columns; j++)
        {
            kept.Values[(dead * columns) + j] = 0;
            kept.Values[(j * columns) + dead] = 0;
        }

        var consumed = new GramMatrix(columns);
        kept.Values.CopyTo(consumed.Values, 0);
        var before = (double[])kept.Values.Clone();
        var fromCopy = (double[])rows.Clone();
        var inPlace = (double[])rows.Clone();
        var zeros = rows.Length / 2;

        SparseGpt.Prune(kept, fromCopy, outputs, zeros, keepN, ofM);
        SparseGpt.Prune(consumed, inPlace, outputs, zeros, keepN, ofM, overwriteGram: true);

        Assert.Equal(fromCopy, inPlace);
        Assert.Equal(before, kept.Values);
        Assert.NotEqual(before, consumed.Values);
        Assert.Equal(1, consumed.Values[(dead * columns) + dead]);
    }

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
