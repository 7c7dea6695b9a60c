using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Reconstruction;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

/// <summary>
/// The Gram matrix of a stride-1 Conv from channel cross-correlations at the window's offset differences equals the im2col rows' (every
/// position's row written by <see cref="InputRows.Fill"/>, summed by <see cref="GramMatrix.Add"/>) up to float summation order, borders,
/// padding, dilation, batches, groups and kept-channel subsets included; entries of columns not kept stay 0.
/// </summary>
public class OffsetGramTests
{
    /// <summary>Batch, channels, height, width, groups, kernel, dilations, pads (top, left, bottom, right), auto_pad, every how many channels one is dropped (0: none).</summary>
    [Theory]
    [InlineData(1, 6, 12, 20, 1, 3, 3, 1, 1, 1, 1, 1, 1, "NOTSET", 0)]
    [InlineData(2, 8, 13, 17, 1, 3, 3, 1, 1, 1, 1, 1, 1, "NOTSET", 4)]
    [InlineData(1, 6, 11, 23, 2, 3, 3, 1, 1, 1, 1, 1, 1, "NOTSET", 3)]
    [InlineData(1, 5, 14, 19, 1, 5, 5, 2, 2, 2, 2, 2, 2, "NOTSET", 0)]
    [InlineData(1, 4, 15, 15, 1, 3, 3, 2, 3, 0, 1, 2, 0, "NOTSET", 2)]
    [InlineData(1, 4, 9, 14, 1, 3, 3, 1, 1, 0, 0, 0, 0, "VALID", 0)]
    [InlineData(2, 4, 10, 13, 1, 3, 3, 1, 1, 0, 0, 0, 0, "SAME_UPPER", 0)]
    [InlineData(1, 4, 10, 13, 1, 4, 2, 1, 1, 0, 0, 0, 0, "SAME_LOWER", 0)]
    [InlineData(1, 6, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, "NOTSET", 0)]
    [InlineData(1, 6, 1, 50, 1, 1, 5, 1, 2, 0, 2, 0, 2, "NOTSET", 3)]
    [InlineData(1, 12, 40, 40, 1, 3, 3, 1, 1, 1, 1, 1, 1, "NOTSET", 4)]
    public void The_offset_products_equal_the_im2col_rows_gram(int batch, int channels, int height, int width, int groups, int kernelH, int kernelW,
        int dilationH, int dilationW, int padTop, int padLeft, int padBottom, int padRight, string autoPad, int dropEvery)
    {
        var window = new ConvWindow(kernelH, kernelW, 1, 1, dilationH, dilationW, [padTop, padLeft, padBottom, padRight], autoPad);
        var geometry = new LayerGeometry(LayerKind.Conv, groups, channels / groups * kernelH * kernelW, 2, false, window);
        long[] shape = height == 1 ? [batch, channels, width] : [batch, channels, height, width];
        var random = new Random((channels * 1000) + (height * 10) + width);
        var input = Enumerable.Range(0, batch * channels * height * width).Select(_ => (float)(random.NextDouble() - 0.3)).ToArray();
        Compare(geometry, input, shape, dropEvery);
    }

    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void On_the_detectors_wide_consumers_the_offset_products_equal_the_im2col_rows_gram()
    {
        using var temp = new TempFolder();
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrDetector));
        ConstantPromotion.Promote(model.Graph);
        using var session = ModelSessions.Open(model);
        var data = DatasetLoader.Open(OcrInputs.Render(temp.Path, "det", 1, seed: 7, height: 160, width: 160), session.Inputs);
        var weights = model.Graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        // The FPN's 96-channel 3 x 3 output convs (24 outputs): 864 im2col columns each.
        var nodes = model.Graph.Node.Where(n => n.OpType == "Conv" && weights.TryGetValue(n.Input[1], out var w) && w.Dims.SequenceEqual([24L, 96, 3, 3])).ToList();
        Assert.True(nodes.Count >= 4, $"{nodes.Count} 96-channel 3 x 3 convs");
        using var probe = new StageProbe(model, nodes.Select(n => n.Input[0]).ToList(), [], []);
        var (inputs, _) = probe.Run(data.Sample(0), []);
        for (var k = 0; k < nodes.Count; k++)
        {
            var geometry = LayerGeometry.Of(nodes[k], weights[nodes[k].Input[1]])!;
            Compare(geometry, inputs[k].AsSpan<float>().ToArray(), inputs[k].Shape, dropEvery: 4);
        }
    }

    [Fact]
    public void Strided_and_pointwise_convs_and_partly_kept_channels_are_not_served()
    {
        var window = new ConvWindow(3, 3, 1, 1, 1, 1, [1, 1, 1, 1], "NOTSET");
        var geometry = new LayerGeometry(LayerKind.Conv, 1, 4 * 9, 8, false, window);
        Assert.Equal(Enumerable.Range(0, 4), OffsetGram.Channels(geometry, null));
        Assert.Equal(Enumerable.Range(0, 4).Where(c => c % 2 == 1), OffsetGram.Channels(geometry, [.. Enumerable.Range(9, 9), .. Enumerable.Range(27, 9), 36]));
        Assert.Null(OffsetGram.Channels(geometry, [.. Enumerable.Range(9, 8), 36]));
        Assert.Null(OffsetGram.Channels(geometry with { Window = window with { StrideW = 2 } }, null));
        Assert.Null(OffsetGram.Channels(geometry with { Columns = 4, Window = window with { KernelHeight = 1, KernelWidth = 1 } }, null));
        Assert.Null(OffsetGram.Channels(new LayerGeometry(LayerKind.Dense, 1, 4, 8, true, null), null));
    }

    /// <summary>With and without the bias column, every channel or every <paramref name="dropEvery"/>-th one dropped: the kept entries match, the rest stay 0.</summary>
    private static void Compare(LayerGeometry geometry, float[] input, IReadOnlyList<long> shape, int dropEvery)
    {
        var kernel = geometry.Window!.KernelHeight * geometry.Window.KernelWidth;
        foreach (var withBias in new[] { false, true })
        {
            var size = geometry.Columns + (withBias ? 1 : 0);
            var kept = Enumerable.Range(0, size).Where(c => c == geometry.Columns || dropEvery == 0 || (c / kernel) % dropEvery != 0).ToList();
            var channels = OffsetGram.Channels(geometry, dropEvery == 0 ? null : kept);
            Assert.NotNull(channels);
            var expected = Im2col(geometry, input, shape, withBias);
            var gram = Enumerable.Range(0, geometry.Groups).Select(_ => GramMatrix.Wide(size, kept)).ToList();
            OffsetGram.Add(geometry, channels, input, shape, withBias, bias: true, gram);

            var keptSet = kept.ToHashSet();
            for (var g = 0; g < geometry.Groups; g++)
            {
                Assert.Equal(expected[g].Rows, gram[g].Rows);
                for (var i = 0; i < size; i++)
                {
                    for (var j = i; j < size; j++)
                    {
                        var actual = gram[g].Values[(i * size) + j];
                        if (keptSet.Contains(i) && keptSet.Contains(j))
                        {
                            // Float sums of either order round at the scale of sum |x_i x_j| <= sqrt(H_ii H_jj), not of the entry (which may cancel).
                            var want = expected[g].Values[(i * size) + j];
                            var scale = Math.Sqrt(expected[g].Values[(i * size) + i] * expected[g].Values[(j * size) + j]);
                            Assert.True(Math.Abs(want - actual) <= Math.Max(1e-4, scale * 1e-5), $"group {g} [{i}, {j}], bias {withBias}: expected {want}, got {actual}");
                        }
                        else
                        {
                            Assert.True(actual == 0, $"group {g} [{i}, {j}] of a dropped channel: {actual}");
                        }
                    }
                }
            }
        }
    }

    /// <summary>The reference: every position's im2col row (step 1) summed by the blocked update.</summary>
    private static List<GramMatrix> Im2col(LayerGeometry geometry, float[] input, IReadOnlyList<long> shape, bool withBias)
    {
        var size = geometry.Columns + (withBias ? 1 : 0);
        var (rows, step) = InputRows.Plan(geometry, shape, input.Length, int.MaxValue);
        Assert.Equal(1, step);
        var grams = new List<GramMatrix>();
        for (var g = 0; g < geometry.Groups; g++)
        {
            var left = new float[size * rows];
            InputRows.Fill(geometry, input, shape, g, withBias, step, 0, rows, left, rows, 0);
            var gram = new GramMatrix(size);
            gram.Add(left, rows, rows);
            grams.Add(gram);
        }

        return grams;
    }
}
