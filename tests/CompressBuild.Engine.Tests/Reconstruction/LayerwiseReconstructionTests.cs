using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
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

    /// <summary>
    /// A depthwise Conv fed samples of four sizes: the small ones give every position (<see cref="ShiftedViewGram"/>), the large ones sampled
    /// positions, summed for all groups at once (<see cref="DepthwiseGram"/>, flushed at the stage's end). Each group's matrix, averaged over its
    /// row count, is the one the same samples' im2col rows give group by group, and the rows added are theirs; diagonal only (HAWQ-V3's trace),
    /// the layer keeps the group-by-group path and its other entries stay 0.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_depthwise_layer_sums_samples_taken_whole_and_sampled_as_their_rows_group_by_group(bool diagonalOnly)
    {
        const int Channels = 16;
        var random = new Random(5);
        var weight = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float, Dims = { Channels, 1, 3, 3 } };
        weight.FloatData.Add(Enumerable.Range(0, Channels * 9).Select(_ => (float)(random.NextDouble() - 0.5)));
        var bias = new TensorProto { Name = "b", DataType = (int)TensorProto.Types.DataType.Float, Dims = { Channels } };
        bias.FloatData.Add(Enumerable.Range(0, Channels).Select(_ => (float)random.NextDouble()));
        var node = new NodeProto { Name = "dw", OpType = "Conv", Input = { "x", "w", "b" }, Output = { "y" } };
        node.Attribute.Add(new AttributeProto { Name = "group", Type = AttributeProto.Types.AttributeType.Int, I = Channels });
        node.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 0, 1, 2 } });
        node.Attribute.Add(new AttributeProto { Name = "dilations", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 2 } });
        var graph = new GraphProto { Name = "depthwise", Node = { node }, Initializer = { weight, bias } };
        graph.Input.Add(Dynamic("x", "n", Channels, "h", "w"));
        graph.Output.Add(Dynamic("y", "n", Channels, "oh", "ow"));
        var model = new OnnxModel(new ModelProto { IrVersion = 8, OpsetImport = { new OperatorSetIdProto { Version = 13 } }, Graph = graph }, null);
        var geometry = LayerGeometry.Of(node, weight)!;
        var target = new ReconstructionTarget(node, weight, geometry, WithBias: true);

        long[][] shapes = [[1, Channels, 8, 9], [1, Channels, 30, 40], [2, Channels, 6, 5], [2, Channels, 20, 24]];
        var inputs = shapes.Select(s => Enumerable.Range(0, (int)s.Aggregate((a, b) => a * b)).Select(_ => (float)(random.NextDouble() - 0.3)).ToArray()).ToList();
        var data = new Dataset("four sizes", shapes.Length, i => [HostTensor.FromArray<float>("x", shapes[i], inputs[i])]);
        var quota = InputRows.Quota(10, shapes.Length);
        var plans = shapes.Select((s, i) => InputRows.Plan(geometry, s, inputs[i].Length, quota)).ToList();
        Assert.Equal([1, 5, 1, 4], plans.Select(p => p.Step));

        var expected = Enumerable.Range(0, Channels).Select(_ => new GramMatrix(10, diagonalOnly)).ToList();
        for (var i = 0; i < shapes.Length; i++)
        {
            var (rows, step) = plans[i];
            for (var g = 0; g < Channels; g++)
            {
                var columns = new float[10 * rows];
                InputRows.Fill(geometry, inputs[i], shapes[i], g, true, step, 0, rows, columns, rows, 0, seed: i);
                expected[g].Add(columns, rows, rows);
            }
        }

        var solved = 0;
        var timing = LayerwiseReconstruction.Run(model, [target], data, (_, statistics) =>
        {
            solved++;
            for (var g = 0; g < Channels; g++)
            {
                Assert.Equal(expected[g].Rows, statistics.Gram[g].Rows);
                expected[g].Symmetrize();
                for (var e = 0; e < 100; e++)
                {
                    var (want, got) = (expected[g].Values[e], statistics.Gram[g].Values[e]);
                    Assert.True(Math.Abs(want - got) <= 1e-5 * (Math.Abs(want) + 1e-3), $"group {g} entry {e}: expected {want}, got {got}");
                }
            }
        }, passes: 1, memoryBudget: long.MaxValue, diagonalOnly: diagonalOnly);
        Assert.Equal(1, solved);
        Assert.Equal(plans.Sum(p => (long)p.Rows) * Channels, timing.Rows);
    }

    private static ValueInfoProto Dynamic(string name, string batch, int channels, string height, string width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batch });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = channels });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = height });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = width });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } };
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
