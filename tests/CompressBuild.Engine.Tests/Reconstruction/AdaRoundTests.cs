using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Reconstruction;
using CompressBuild.Engine.Runtime;
using CompressBuild.Engine.Tests.Pruning;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Reconstruction;

public class AdaRoundTests(ITestOutputHelper output)
{
    /// <summary>
    /// On the digits calibration images, for one real layer (each Conv / MatMul of the fixture, s8 symmetric per output
    /// row), AdaRound's weights sit on round-to-nearest's grid and give a layer output error tr(dW H dW^T), computed here
    /// from the Gram matrix independently of AdaRound, below round-to-nearest's in every layer and at least 15% below it
    /// summed over the layers (measured: 5-34% per layer on cnn_residual, 28-47% on the mlp).
    /// </summary>
    [Theory]
    [InlineData("mlp.onnx")]
    [InlineData("cnn_residual.onnx")]
    public void Adaround_weights_are_on_the_grid_and_cut_the_layer_output_error_of_round_to_nearest(string fixture)
    {
        var model = PruningFixtures.Load(fixture);
        ConstantPromotion.Promote(model.Graph);
        var initializers = model.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var targets = model.Graph.Node
            .Where(n => n.OpType is "Conv" or "Gemm" or "MatMul" && n.Input.Count > 1 && initializers.ContainsKey(n.Input[1]))
            .Select(n => LayerGeometry.Of(n, initializers[n.Input[1]]) is { Groups: 1 } geometry ? new ReconstructionTarget(n, initializers[n.Input[1]], geometry, false) : null)
            .OfType<ReconstructionTarget>()
            .ToList();
        using var session = ModelSessions.Open(model);
        var data = DatasetLoader.Open(PruningFixtures.CalibrationData(fixture), session.Inputs).Take(64);

        var layers = 0;
        double nearestTotal = 0, roundedTotal = 0;
        LayerwiseReconstruction.Run(model, targets, data, (target, statistics) =>
        {
            var geometry = target.Geometry;
            var (outputs, n) = (geometry.OutputsPerGroup, geometry.Columns);
            var weights = WeightRows.Read(geometry, TensorData.ToSingles(target.Weight, model), 0);
            var scales = new float[outputs];
            var nearest = new double[weights.Length];
            for (var o = 0; o < outputs; o++)
            {
                var reach = Enumerable.Range(0, n).Max(k => Math.Abs(weights[(o * n) + k]));
                scales[o] = reach > 0 ? (float)(reach / 127) : 1f;
                for (var k = 0; k < n; k++)
                {
                    nearest[(o * n) + k] = Math.Clamp(Math.Round(weights[(o * n) + k] / scales[o], MidpointRounding.ToEven), -127, 127) * scales[o];
                }
            }

            var rounded = (double[])weights.Clone();
            AdaRound.Round(statistics.Gram[0], null, rounded, outputs, scales, new int[outputs], -127, 127);

            for (var i = 0; i < rounded.Length; i++)
            {
                var code = rounded[i] / scales[i / n];
                Assert.True(Math.Abs(code - Math.Round(code)) < 1e-3 && Math.Abs(code) <= 127.001, $"weight {i}: {code} steps is off the grid");
                Assert.True(Math.Abs(rounded[i] - weights[i]) <= scales[i / n] * 1.001, $"weight {i} moved more than one step");
            }

            var before = OutputError(statistics.Gram[0], weights, nearest, outputs, n);
            var after = OutputError(statistics.Gram[0], weights, rounded, outputs, n);
            output.WriteLine($"{fixture} {target.Name} [{outputs}x{n}]: layer output error round-to-nearest {before:G4}, AdaRound {after:G4} ({after / before:P1})");
            Assert.True(after < before, $"{target.Name}: AdaRound {after:G4}, round-to-nearest {before:G4}");
            (nearestTotal, roundedTotal) = (nearestTotal + before, roundedTotal + after);
            layers++;
        }, passes: 1);

        Assert.Equal(targets.Count, layers);
        Assert.True(roundedTotal <= 0.85 * nearestTotal, $"AdaRound {roundedTotal:G4}, round-to-nearest {nearestTotal:G4} summed");
    }

    /// <summary>tr(dW H dW^T) summed over the rows: the mean squared output error over the calibration rows.</summary>
    private static double OutputError(GramMatrix gram, double[] original, double[] quantized, int outputs, int n)
    {
        double total = 0;
        for (var o = 0; o < outputs; o++)
        {
            for (var i = 0; i < n; i++)
            {
                var di = quantized[(o * n) + i] - original[(o * n) + i];
                for (var j = 0; j < n; j++)
                {
                    total += di * gram.Values[(i * n) + j] * (quantized[(o * n) + j] - original[(o * n) + j]);
                }
            }
        }

        return total;
    }
}
