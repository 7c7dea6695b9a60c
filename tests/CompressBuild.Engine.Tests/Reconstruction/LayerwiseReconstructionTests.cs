using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Reconstruction;
using CompressBuild.Engine.Runtime;
using CompressBuild.Engine.Tests.Pruning;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

public class LayerwiseReconstructionTests
{
    /// <summary>
    /// The im2col Gram matrix is right exactly when w^T H w, for every output row w (bias appended), equals the mean
    /// square of that output channel as ONNX Runtime's Conv / Gemm computes it on the same samples.
    /// </summary>
    [Theory]
    [InlineData("cnn_residual.onnx")]
    [InlineData("cnn_concat_dw.onnx")]
    [InlineData("mlp.onnx")]
    public void Gram_matrices_reproduce_the_output_energy_ONNX_Runtime_computes(string fixture)
    {
        var model = PruningFixtures.Load(fixture);
        ConstantPromotion.Promote(model.Graph);
        var initializers = model.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var targets = model.Graph.Node
            .Where(n => n.OpType is "Conv" or "Gemm" or "MatMul" && n.Input.Count > 1 && initializers.ContainsKey(n.Input[1]))
            .Select(n => (Node: n, Geometry: LayerGeometry.Of(n, initializers[n.Input[1]])))
            .Where(x => x.Geometry is not null)
            .Select(x => new ReconstructionTarget(x.Node, initializers[x.Node.Input[1]], x.Geometry!, x.Node.Input.Count > 2 && initializers.ContainsKey(x.Node.Input[2])))
            .ToList();
        Assert.NotEmpty(targets);
        using var session = ModelSessions.Open(model);
        var data = DatasetLoader.Open(PruningFixtures.CalibrationData(fixture), session.Inputs).Take(16);

        // Mean square of every output channel, from ORT.
        var energy = targets.Select(t => new double[t.Geometry.Groups * t.Geometry.OutputsPerGroup]).ToList();
        var counts = new long[targets.Count];
        ActivationCapture.Run(model, targets.Select(t => t.Node.Output[0]).ToList(), data, (_, tensors) =>
        {
            for (var k = 0; k < targets.Count; k++)
            {
                var values = tensors[k].AsSpan<float>();
                var channels = energy[k].Length;
                var conv = targets[k].Geometry.Kind == LayerKind.Conv;
                var inner = conv ? (int)(tensors[k].Shape[2..].Aggregate(1L, (a, d) => a * d)) : 1;
                for (var i = 0; i < values.Length; i++)
                {
                    var channel = conv ? i / inner % channels : i % channels;
                    energy[k][channel] += values[i] * (double)values[i];
                }

                counts[k] += values.Length / channels;
            }
        });

        var checkedLayers = 0;
        LayerwiseReconstruction.Run(model, targets, data, (target, statistics) =>
        {
            var k = targets.IndexOf(target);
            var geometry = target.Geometry;
            var weight = TensorData.ToSingles(target.Weight, model);
            var bias = target.WithBias ? TensorData.ToSingles(initializers[target.Node.Input[2]], model) : null;
            for (var g = 0; g < geometry.Groups; g++)
            {
                var rows = WeightRows.Read(geometry, weight, g);
                var gram = statistics.Gram[g];
                var n = gram.Size;
                for (var o = 0; o < geometry.OutputsPerGroup; o++)
                {
                    var w = new double[n];
                    rows.AsSpan(o * geometry.Columns, geometry.Columns).CopyTo(w);
                    if (bias is not null)
                    {
                        w[^1] = bias[(g * geometry.OutputsPerGroup) + o];
                    }

                    double quadratic = 0;
                    for (var i = 0; i < n; i++)
                    {
                        for (var j = 0; j < n; j++)
                        {
                            quadratic += w[i] * gram.Values[(i * n) + j] * w[j];
                        }
                    }

                    var expected = energy[k][(g * geometry.OutputsPerGroup) + o] / counts[k];
                    Assert.True(Math.Abs(quadratic - expected) <= (1e-3 * expected) + 1e-6, $"{target.Name} output {o}: w^T H w = {quadratic}, ORT mean square {expected}");
                }
            }

            checkedLayers++;
        });
        Assert.Equal(targets.Count, checkedLayers);
    }

    [Fact]
    public void Damped_cholesky_solves_and_inverts_a_singular_gram_matrix()
    {
        // Rank-deficient: column 2 = column 0 + column 1, as for a channel that copies two others.
        var random = new Random(3);
        var x = new double[50, 3];
        for (var r = 0; r < 50; r++)
        {
            x[r, 0] = random.NextDouble();
            x[r, 1] = random.NextDouble();
            x[r, 2] = x[r, 0] + x[r, 1];
        }

        var h = new double[9];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var r = 0; r < 50; r++)
                {
                    h[(i * 3) + j] += x[r, i] * x[r, j];
                }
            }
        }

        var factor = Cholesky.Factor(h, 3, 0.01);
        var b = new double[] { 1, 2, 3 };
        factor.Solve(b);
        var inverse = factor.Inverse();
        for (var i = 0; i < 3; i++)
        {
            // (H + dI) x = b, checked by multiplying back.
            var row = (h[i * 3] * b[0]) + (h[(i * 3) + 1] * b[1]) + (h[(i * 3) + 2] * b[2]) + (factor.Damping * b[i]);
            Assert.Equal(i + 1.0, row, 6);
            for (var j = 0; j < 3; j++)
            {
                var product = Enumerable.Range(0, 3).Sum(m => ((h[(i * 3) + m] + (i == m ? factor.Damping : 0)) * inverse[(m * 3) + j]));
                Assert.Equal(i == j ? 1 : 0, product, 6);
            }
        }

        var upper = factor.InverseUpper();
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                Assert.Equal(inverse[(i * 3) + j], Enumerable.Range(0, 3).Sum(m => upper[(m * 3) + i] * upper[(m * 3) + j]), 6);
            }
        }
    }
}
