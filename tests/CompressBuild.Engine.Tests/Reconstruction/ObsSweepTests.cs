using CompressBuild.Engine.Reconstruction;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

public class ObsSweepTests
{
    /// <summary>
    /// The lazy batches (the later columns updated once per 128 columns, as one product) against the sweep that spreads every column's
    /// error at once: the same weights up to rounding, over 1, 2 and 3 batches, in index order and act-order, with dead inputs.
    /// </summary>
    [Theory]
    [InlineData(100, 5, false)]
    [InlineData(257, 3, false)]
    [InlineData(300, 7, true)]
    public void Lazy_batches_give_the_column_by_column_sweep(int n, int outputs, bool actOrder)
    {
        var random = new Random(n);
        var samples = n + 20;
        var x = new float[n * samples];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (float)(random.NextDouble() - 0.5);
        }

        // Dead inputs: columns 3 and n - 2 never fire.
        x.AsSpan(3 * samples, samples).Clear();
        x.AsSpan((n - 2) * samples, samples).Clear();
        var gram = new GramMatrix(n);
        gram.Add(x, samples, samples);
        gram.Symmetrize();
        var rows = Enumerable.Range(0, outputs * n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var mask = Enumerable.Range(0, rows.Length).Select(_ => random.NextDouble() < 0.4).ToArray();
        void Rule(int column, ReadOnlySpan<double> values, Span<double> result)
        {
            for (var o = 0; o < values.Length; o++)
            {
                result[o] = mask[(o * n) + column] ? 0 : values[o];
            }
        }

        var expected = Reference(gram, rows, outputs, mask, actOrder);
        var actual = (double[])rows.Clone();
        ObsSweep.Run(gram, actual, outputs, Rule, actOrder);

        var scale = expected.Max(Math.Abs);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-9 * scale, $"weight {i}: {actual[i]} vs {expected[i]}");
            Assert.True(!mask[i] || actual[i] == 0, $"weight {i} is masked but {actual[i]}");
        }

        Assert.All(Enumerable.Range(0, outputs), o => Assert.Equal(0, actual[(o * n) + 3]));
    }

    /// <summary>Each column's error spread to every later column right away (SparseGPT's and GPTQ's definition, no batches).</summary>
    private static double[] Reference(GramMatrix gram, double[] rows, int outputs, bool[] mask, bool actOrder)
    {
        var n = gram.Size;
        var h = (double[])gram.Values.Clone();
        var w = (double[])rows.Clone();
        for (var j = 0; j < n; j++)
        {
            if (h[(j * n) + j] == 0)
            {
                h[(j * n) + j] = 1;
                for (var o = 0; o < outputs; o++)
                {
                    w[(o * n) + j] = 0;
                }
            }
        }

        var order = Enumerable.Range(0, n).ToArray();
        if (actOrder)
        {
            order = order.OrderByDescending(j => h[(j * n) + j]).ThenBy(j => j).ToArray();
        }

        var permuted = new double[n * n];
        for (var a = 0; a < n; a++)
        {
            for (var b = 0; b < n; b++)
            {
                permuted[(a * n) + b] = h[(order[a] * n) + order[b]];
            }
        }

        var u = Cholesky.InverseUpper(permuted, n, ObsSweep.DefaultDamping);
        for (var a = 0; a < n; a++)
        {
            for (var o = 0; o < outputs; o++)
            {
                var value = w[(o * n) + order[a]];
                var replaced = mask[(o * n) + order[a]] ? 0 : value;
                var error = (value - replaced) / u[(a * n) + a];
                w[(o * n) + order[a]] = replaced;
                for (var b = a + 1; b < n; b++)
                {
                    w[(o * n) + order[b]] -= error * u[(a * n) + b];
                }
            }
        }

        return w;
    }
}
