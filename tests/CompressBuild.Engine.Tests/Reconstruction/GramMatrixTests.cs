using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Reconstruction;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Reconstruction;

public class GramMatrixTests(ITestOutputHelper output)
{
    /// <summary>
    /// Both kernels (2x4 of Vector256, 4x4 of Vector512; Vector512 runs emulated where it is not accelerated) against sums in doubles, on
    /// sizes around the blocks (columns not a multiple of 4, bands of 2 or 4 rows cut short) and row counts around the 8- and 16-float
    /// vectors and the 256- and 512-row tiles.
    /// </summary>
    [Theory]
    [InlineData(1, 3, false)]
    [InlineData(1, 3, true)]
    [InlineData(5, 9, false)]
    [InlineData(5, 9, true)]
    [InlineData(8, 256, false)]
    [InlineData(8, 256, true)]
    [InlineData(13, 517, false)]
    [InlineData(13, 517, true)]
    [InlineData(34, 1000, false)]
    [InlineData(34, 1000, true)]
    [InlineData(7, 15, true)]
    [InlineData(18, 527, true)]
    [InlineData(31, 1043, true)]
    public void The_blocked_update_equals_the_sums_of_products_in_doubles(int size, int rows, bool vector512)
    {
        var stride = rows + 3;
        var random = new Random(size * 1000 + rows);
        var left = Enumerable.Range(0, size * stride).Select(_ => (float)(random.NextDouble() - 0.3)).ToArray();
        var right = Enumerable.Range(0, size * stride).Select(_ => (float)(random.NextDouble() - 0.6)).ToArray();
        var gram = new GramMatrix(size, false, int.MaxValue, vector512: vector512);
        var cross = new GramMatrix(size, false, int.MaxValue, vector512: vector512);
        gram.Add(left, rows, stride);
        gram.Add(right, rows, stride);
        cross.AddCross(left, right, rows, stride);

        for (var i = 0; i < size; i++)
        {
            for (var j = 0; j < size; j++)
            {
                double expected = 0, expectedCross = 0;
                for (var r = 0; r < rows; r++)
                {
                    expected += ((double)left[(i * stride) + r] * left[(j * stride) + r]) + ((double)right[(i * stride) + r] * right[(j * stride) + r]);
                    expectedCross += (double)left[(i * stride) + r] * right[(j * stride) + r];
                }

                if (j >= i)
                {
                    Assert.Equal(expected, gram.Values[(i * size) + j], Math.Max(1e-4, Math.Abs(expected) * 1e-5));
                }

                Assert.Equal(expectedCross, cross.Values[(i * size) + j], Math.Max(1e-4, Math.Abs(expectedCross) * 1e-5));
            }
        }

        Assert.Equal(2 * rows, gram.Rows);
        Assert.Equal(rows, cross.Rows);
    }

    /// <summary>
    /// An update split over the cores by bands of H gives the bytes of the single-threaded one, both kernels, symmetric and cross: each entry's
    /// tiles are summed by one thread in the same order. Sizes leave a short last band and a column tail; 1,100 rows make three 512-row tiles.
    /// </summary>
    [Theory]
    [InlineData(203, 1100, false)]
    [InlineData(203, 1100, true)]
    [InlineData(66, 37, true)]
    public void The_update_split_over_the_cores_gives_the_single_threaded_bytes(int size, int rows, bool vector512)
    {
        var stride = rows + 5;
        var random = new Random(size + rows);
        var left = Enumerable.Range(0, size * stride).Select(_ => (float)(random.NextDouble() - 0.4)).ToArray();
        var right = Enumerable.Range(0, size * stride).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        GramMatrix Matrix(double splitFrom) => new(size, false, int.MaxValue, vector512: vector512, splitFrom: splitFrom);
        var (one, split, oneCross, splitCross) = (Matrix(double.PositiveInfinity), Matrix(0), Matrix(double.PositiveInfinity), Matrix(0));
        foreach (var chunk in new[] { left, right })
        {
            one.Add(chunk, rows, stride);
            split.Add(chunk, rows, stride);
        }

        oneCross.AddCross(left, right, rows, stride);
        splitCross.AddCross(left, right, rows, stride);
        Assert.Contains(one.Values, v => v != 0);
        Assert.Equal(one.Values, split.Values);
        Assert.Equal(oneCross.Values, splitCross.Values);
    }

    /// <summary>
    /// The panels against one pass over every size from 1 to 70 columns and a few wide ones past the default panel's 128 columns (of a full
    /// Vector512 tile), row counts around the vectors and both kernels' tiles, panels of 4 columns (4 bytes round up), 4 kB, 16 kB and the
    /// default: every entry of the whole matrix (the junk below the diagonal too) keeps its bytes, both kernels, symmetric and cross, on one core
    /// and split. Up to 70 columns the one pass is also checked against sums in doubles, so an entry no block sums (or two do) fails there too.
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Panels_of_any_width_give_the_bytes_of_one_pass_on_every_size_and_row_count(bool vector512, bool split)
    {
        int[] allRows = [1, 15, 16, 17, 511, 512, 513, 1100], wide = [129, 257], wider = [513, 1027], widerRows = [1, 17, 513, 1100];
        var cases = Enumerable.Range(1, 70).SelectMany(size => allRows.Select(rows => (size, rows)))
            .Concat(wide.SelectMany(size => allRows.Select(rows => (size, rows))))
            .Concat(wider.SelectMany(size => widerRows.Select(rows => (size, rows))));
        int[] panelSizes = [4, 4096, 16384, 256 << 10];
        var mismatches = new List<string>();
        foreach (var (size, rows) in cases)
        {
            var stride = rows + 3;
            var random = new Random((size * 7919) + rows);
            var left = new float[size * stride];
            var right = new float[size * stride];
            for (var i = 0; i < left.Length; i++)
            {
                left[i] = (float)(random.NextDouble() - 0.45);
                right[i] = (float)(random.NextDouble() - 0.55);
            }

            GramMatrix Matrix(int panelBytes) => new(size, false, int.MaxValue, vector512: vector512, splitFrom: split ? 0 : double.PositiveInfinity, panelBytes: panelBytes);
            var (whole, wholeCross) = (Matrix(int.MaxValue), Matrix(int.MaxValue));
            whole.Add(left, rows, stride);
            wholeCross.AddCross(left, right, rows, stride);
            if (size <= 70)
            {
                for (var i = 0; i < size; i++)
                {
                    for (var j = 0; j < size; j++)
                    {
                        double expected = 0, expectedCross = 0;
                        for (var r = 0; r < rows; r++)
                        {
                            expected += (double)left[(i * stride) + r] * left[(j * stride) + r];
                            expectedCross += (double)left[(i * stride) + r] * right[(j * stride) + r];
                        }

                        if ((j >= i && Math.Abs(expected - whole.Values[(i * size) + j]) > Math.Max(1e-4, Math.Abs(expected) * 1e-5))
                            || Math.Abs(expectedCross - wholeCross.Values[(i * size) + j]) > Math.Max(1e-4, Math.Abs(expectedCross) * 1e-5))
                        {
                            mismatches.Add($"{size} columns, {rows} rows: one pass at ({i}, {j})");
                        }
                    }
                }
            }

            foreach (var panelBytes in panelSizes)
            {
                var (panels, panelsCross) = (Matrix(panelBytes), Matrix(panelBytes));
                panels.Add(left, rows, stride);
                panelsCross.AddCross(left, right, rows, stride);
                if (!whole.Values.AsSpan().SequenceEqual(panels.Values) || !wholeCross.Values.AsSpan().SequenceEqual(panelsCross.Values))
                {
                    mismatches.Add($"{size} columns, {rows} rows, {panelBytes}-byte panels");
                }
            }
        }

        Assert.Empty(mismatches);
    }

    [Fact]
    public void A_diagonal_only_matrix_has_the_full_ones_diagonal_and_nothing_else()
    {
        int size = 13, rows = 517, stride = rows + 3;
        var random = new Random(7);
        var columns = Enumerable.Range(0, size * stride).Select(_ => (float)(random.NextDouble() - 0.3)).ToArray();
        var full = new GramMatrix(size);
        var diagonal = new GramMatrix(size, diagonalOnly: true);
        full.Add(columns, rows, stride);
        diagonal.Add(columns, rows, stride);

        for (var i = 0; i < size; i++)
        {
            for (var j = 0; j < size; j++)
            {
                var value = diagonal.Values[(i * size) + j];
                if (i == j)
                {
                    Assert.Equal(full.Values[(i * size) + i], value, Math.Abs(value) * 1e-5);
                }
                else
                {
                    Assert.Equal(0, value);
                }
            }
        }

        Assert.Equal(full.MeanDiagonal(), diagonal.MeanDiagonal(), Math.Abs(full.MeanDiagonal()) * 1e-5);
        Assert.Equal(rows, diagonal.Rows);
    }

    /// <summary>v^T H v against the explicit double sum, over the whole matrix and over a leading block (a row without the bias column).</summary>
    [Theory]
    [InlineData(9, 9)]
    [InlineData(13, 12)]
    [InlineData(37, 37)]
    public void The_quadratic_form_equals_the_explicit_sum(int size, int length)
    {
        int rows = 300, stride = rows;
        var random = new Random(size + length);
        var columns = Enumerable.Range(0, size * stride).Select(_ => (float)(random.NextDouble() - 0.4)).ToArray();
        var gram = new GramMatrix(size);
        gram.Add(columns, rows, stride);
        gram.Symmetrize();
        var v = Enumerable.Range(0, length).Select(i => i % 5 == 0 ? 0 : random.NextDouble() - 0.5).ToArray();

        double expected = 0;
        for (var i = 0; i < length; i++)
        {
            for (var j = 0; j < length; j++)
            {
                expected += v[i] * gram.Values[(i * size) + j] * v[j];
            }
        }

        Assert.Equal(expected, gram.Quadratic(v), Math.Abs(expected) * 1e-12);
        Assert.Throws<ArgumentException>(() => gram.Quadratic(new double[size + 1]));
    }

    /// <summary>
    /// Wide cross matrices go through ONNX Runtime's SGEMM in 1,024-row tiles: the result must be the blocked kernel's up to float
    /// rounding. Symmetric Gram matrices stay with the block (half the work), so those are the same bits.
    /// </summary>
    [Theory]
    [InlineData(64, 600)]
    [InlineData(150, 1024)]
    [InlineData(577, 2500)]
    public void The_runtime_GEMM_cross_update_equals_the_blocked_one_and_the_Gram_stays_blocked(int size, int rows)
    {
        var stride = rows + 5;
        var random = new Random(size + rows);
        var left = Enumerable.Range(0, size * stride).Select(_ => (float)Math.Max(0, random.NextDouble() - 0.4)).ToArray();
        var right = Enumerable.Range(0, size * stride).Select(_ => (float)(random.NextDouble() - 0.6)).ToArray();
        var (gemm, blocked) = (new GramMatrix(size, false, 0), new GramMatrix(size, false, int.MaxValue));
        var (gemmCross, blockedCross) = (new GramMatrix(size, false, 0), new GramMatrix(size, false, int.MaxValue));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        gemm.Add(left, rows, stride);
        gemmCross.AddCross(left, right, rows, stride);
        var gemmTime = clock.Elapsed;
        clock.Restart();
        blocked.Add(left, rows, stride);
        blockedCross.AddCross(left, right, rows, stride);
        output.WriteLine($"{size} columns, {rows} rows, Gram and cross: SGEMM {gemmTime.TotalMilliseconds:F1} ms, blocked {clock.Elapsed.TotalMilliseconds:F1} ms");
        gemm.Symmetrize();
        blocked.Symmetrize();

        Assert.Equal(blocked.Values, gemm.Values);
        Assert.True(RelativeError(blockedCross.Values, gemmCross.Values) < 1e-6, $"cross: relative error {RelativeError(blockedCross.Values, gemmCross.Values):E2}");
        Assert.Equal(blocked.Rows, gemm.Rows);
    }

    /// <summary>
    /// A wide Gram matrix goes through SGEMM: it must equal the blocked kernel's up to float rounding on
    /// every entry, and with chosen columns (the kept ones of a channel-pruned consumer) on exactly those entries, every other left 0. Both
    /// CPU times are printed, not asserted (the machine is shared).
    /// </summary>
    [Theory]
    [InlineData(300, 700)]
    [InlineData(865, 2424)]
    public void The_wide_Gram_update_equals_the_blocked_one_on_the_chosen_columns(int size, int rows)
    {
        var stride = rows + 3;
        var random = new Random(size * 7 + rows);
        var left = Enumerable.Range(0, size * stride).Select(_ => (float)Math.Max(0, random.NextDouble() - 0.3)).ToArray();
        var kept = Enumerable.Range(0, size).Where(c => (c / 9) % 4 != 1 || c == size - 1).ToArray();
        var (blocked, wide, chosen) = (new GramMatrix(size, false, int.MaxValue), GramMatrix.Wide(size), GramMatrix.Wide(size, kept));
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var times = new List<double>();
        foreach (var gram in new[] { blocked, wide, chosen })
        {
            process.Refresh();
            var before = process.TotalProcessorTime;
            gram.Add(left, rows / 2, stride);
            gram.Add(left.AsSpan(rows / 2), rows - (rows / 2), stride);
            process.Refresh();
            times.Add((process.TotalProcessorTime - before).TotalMilliseconds);
            gram.Symmetrize();
        }

        output.WriteLine($"{size} columns ({kept.Length} chosen), {rows} rows, CPU: blocked {times[0]:F0} ms, SGEMM {times[1]:F0} ms, chosen {times[2]:F0} ms");
        Assert.True(RelativeError(blocked.Values, wide.Values) < 1e-6, $"relative error {RelativeError(blocked.Values, wide.Values):E2}");
        var keptSet = kept.ToHashSet();
        var expected = blocked.Values.Select((v, i) => keptSet.Contains(i / size) && keptSet.Contains(i % size) ? v : 0).ToArray();
        Assert.True(RelativeError(expected, chosen.Values) < 1e-6, $"relative error {RelativeError(expected, chosen.Values):E2}");
        Assert.All(chosen.Values.Where((_, i) => !keptSet.Contains(i / size) || !keptSet.Contains(i % size)), v => Assert.Equal(0, v));
        Assert.Equal(blocked.Rows, chosen.Rows);
    }

    /// <summary>
    /// The SGEMM cross product of the real im2col rows of the PP-OCRv4 recognizer's widest Conv with themselves (16 rendered lines,
    /// one chunk) against the blocked kernel's; both times are printed, not asserted (the machine is shared).
    /// </summary>
    [RealModelFact(RealModels.PaddleOcrRecognizer)]
    public void The_runtime_GEMM_cross_update_equals_the_blocked_one_on_the_recognizers_widest_layer()
    {
        using var temp = new TempFolder();
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrRecognizer));
        ConstantPromotion.Promote(model.Graph);
        var initializers = model.Graph.Initializer.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var (node, geometry) = model.Graph.Node
            .Where(n => n.OpType == "Conv" && initializers.TryGetValue(n.Input[1], out var w) && w.DataType == (int)TensorProto.Types.DataType.Float)
            .Select(n => (Node: n, Geometry: LayerGeometry.Of(n, initializers[n.Input[1]])))
            .Where(x => x.Geometry is { Groups: 1 })
            .MaxBy(x => x.Geometry!.Columns);
        using var session = ModelSessions.Open(model);
        var data = DatasetLoader.Open(OcrInputs.Render(temp.Path, "rec", 16, seed: 7), session.Inputs);
        var n = geometry!.Columns;
        var (gemm, blocked) = (new GramMatrix(n, false, 0), new GramMatrix(n, false, int.MaxValue));
        var samples = new List<float[]>();
        ActivationCapture.Run(model, [node.Input[0]], data, (_, tensors) =>
        {
            var input = tensors[0].AsSpan<float>();
            var (rows, step) = InputRows.Plan(geometry, tensors[0].Shape, input.Length);
            var buffer = new float[n * rows];
            InputRows.Fill(geometry, input, tensors[0].Shape, 0, false, step, 0, rows, buffer, rows, 0);
            samples.Add(buffer);
        });
        var perSample = samples[0].Length / n;
        var total = perSample * samples.Count;
        var chunk = new float[n * total];
        for (var i = 0; i < samples.Count; i++)
        {
            for (var j = 0; j < n; j++)
            {
                samples[i].AsSpan(j * perSample, perSample).CopyTo(chunk.AsSpan((j * total) + (i * perSample)));
            }
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        gemm.AddCross(chunk, chunk, total, total);
        var gemmTime = clock.Elapsed;
        clock.Restart();
        blocked.AddCross(chunk, chunk, total, total);
        var blockedTime = clock.Elapsed;

        var error = RelativeError(blocked.Values, gemm.Values);
        output.WriteLine($"{node.Name}: {n} columns, {gemm.Rows} rows; relative error {error:E2}; SGEMM {gemmTime.TotalMilliseconds:F0} ms, blocked {blockedTime.TotalMilliseconds:F0} ms");
        Assert.True(gemm.Rows >= RuntimeGemm.MinRows, $"only {gemm.Rows} rows: the SGEMM path would not run");
        Assert.True(error < 1e-6, $"relative error {error:E2}");
    }

    private static double RelativeError(double[] expected, double[] actual)
    {
        double difference = 0, norm = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            difference += (expected[i] - actual[i]) * (expected[i] - actual[i]);
            norm += expected[i] * expected[i];
        }

        return Math.Sqrt(difference / norm);
    }
}
