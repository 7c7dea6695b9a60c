using CompressBuild.Engine.Reconstruction;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

public class OutputCrossTests
{
    /// <summary>What the solves read: the cross matrix times the weight rows, and the least-squares solve from either.</summary>
    [Theory]
    [InlineData(7, 3, 100)]
    [InlineData(40, 24, 1500)]
    public void X_p_against_the_original_output_equals_the_cross_matrix_times_the_weights(int size, int outputs, int rows)
    {
        var stride = rows + 5;
        var random = new Random(size + outputs);
        var left = Enumerable.Range(0, size * stride).Select(_ => (float)(random.NextDouble() - 0.4)).ToArray();
        var right = left.Select(v => v + (float)((random.NextDouble() - 0.5) * 0.3)).ToArray();
        var weights = Enumerable.Range(0, outputs * size).Select(_ => random.NextDouble() - 0.5).ToArray();
        var gram = new GramMatrix(size);
        var cross = new GramMatrix(size);
        var output = new OutputCross(size, outputs, weights);
        gram.Add(left, rows, stride);
        cross.AddCross(left, right, rows, stride);
        output.Add(left, right, rows, stride);
        gram.Symmetrize();
        cross.Normalize();
        output.Normalize();

        for (var a = 0; a < size; a++)
        {
            for (var o = 0; o < outputs; o++)
            {
                var expected = System.Numerics.Tensors.TensorPrimitives.Dot(cross.Values.AsSpan(a * size, size), weights.AsSpan(o * size, size));
                Assert.True(Math.Abs(expected - output.Values[(a * outputs) + o]) <= 1e-5 * (1 + Math.Abs(expected)), $"[{a}, {o}]: {expected} against {output.Values[(a * outputs) + o]}");
            }
        }

        var kept = Enumerable.Range(0, size).Where(c => c % 3 != 1).ToList();
        var fromCross = weights.ToArray();
        var fromOutput = weights.ToArray();
        LeastSquares.SolveKept(gram, cross, fromCross, outputs, kept, 1e-3);
        LeastSquares.SolveKept(gram, output, fromOutput, outputs, kept, 1e-3);
        for (var i = 0; i < fromCross.Length; i++)
        {
            Assert.True(Math.Abs(fromCross[i] - fromOutput[i]) <= 1e-4 * (1 + Math.Abs(fromCross[i])), $"weight {i}: {fromCross[i]} against {fromOutput[i]}");
        }
    }
}
