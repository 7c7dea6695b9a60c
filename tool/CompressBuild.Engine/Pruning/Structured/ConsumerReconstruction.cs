using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Reconstruction;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// After channel removal, every Conv (group 1) / Gemm / MatMul that read a removed channel is re-solved by least
/// squares so its output matches, on the calibration data, what its original weights computed from its full input
/// (bias included via a ones column), the original model's input at those rows being the teacher. Layers run in graph order through <see cref="LayerwiseReconstruction"/>: the
/// removed columns are zeroed in the working model as each layer is solved, so later layers fit the input the
/// pruned model will really give them. Returns the nodes it re-solved (mean compensation skips them).
/// </summary>
internal static class ConsumerReconstruction
{
    /// <summary>Damping relative to the mean diagonal of H_SS; small, since only the removed channels are missing.</summary>
    private const double Damping = 1e-3;

    /// <summary>
    /// Sampled rows per layer over the calibration set, on top of <see cref="InputRows.RowsPerColumn"/>: only the detector's 865-column 3x3
    /// consumers reach it (55 k rows each at 64 per column, about 19 per column under it), and they were most of the capture's Gram cost.
    /// PP-OCRv4 detector, channel 25% uniform, 32 pages, output cosine at 64 rows per column -> this cap: 0.7605 -> 0.7617 (L2, 16 held-out
    /// pages of seeds 11 and 13), 0.9331 -> 0.9323 (activation importance, same pages), capture CPU 5.8-6.2 s -> 5.0 s. Fewer rows per
    /// column for every layer moved the cosine further (16 per column: 0.7575 and 0.9310), so the narrow layers keep theirs.
    /// </summary>
    public const long MaxRows = 16_384;

    public static (HashSet<NodeProto> Solved, ReconstructionTiming Timing) Apply(ChannelGraph graph, OnnxModel model, PruneSettings settings, HashSet<int> removed)
    {
        var references = model.Graph.Node.SelectMany(n => n.Input).Where(i => i.Length > 0).GroupBy(i => i, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var jobs = new List<(ReconstructionTarget Target, TensorSlice Slice, string? Bias)>();
        foreach (var slice in graph.Slices.Where(s => s.Role == SliceRole.Consumer && s.InputIndex == 1 && s.Node.OpType is "Conv" or "Gemm" or "MatMul"))
        {
            var node = slice.Node;
            if (!slice.Channels.Any(c => removed.Contains(graph.Channels.Find(c))) || references[node.Input[1]] != 1
                || !graph.Constants.TryGetValue(node.Input[1], out var weight) || LayerGeometry.Of(node, weight) is not { Groups: 1 } geometry
                || jobs.Any(j => ReferenceEquals(j.Slice.Node, node)))
            {
                continue;
            }

            if (node.OpType == "Gemm" && GemmForm.Of(node, weight.Dims) is { UnitScales: false })
            {
                continue;
            }

            // Conv [O, C, k...] reads channels on axis 1; Gemm / MatMul on K, whichever axis that is.
            var inputAxis = geometry.Kind == LayerKind.Conv ? 1 : geometry.StoredKByN ? 0 : 1;
            if (slice.Axis != inputAxis || slice.Channels.Length * (geometry.Kind == LayerKind.Conv ? geometry.Window!.KernelHeight * geometry.Window.KernelWidth : 1) != geometry.Columns)
            {
                continue;
            }

            string? bias = null;
            if (node.OpType != "MatMul" && node.Input.Count > 2 && node.Input[2].Length > 0 && references[node.Input[2]] == 1
                && graph.Constants.TryGetValue(node.Input[2], out var b) && b.DataType == (int)TensorProto.Types.DataType.Float
                && TensorShape.ElementCount(b) == geometry.OutputsPerGroup && b.Dims.Count == 1)
            {
                bias = b.Name;
            }

            // The solve's right-hand side is the cross matrix times these weights (unchanged until the layer's own solve), so the capture sums that product alone.
            var target = new ReconstructionTarget(node, weight, geometry, bias is not null);
            jobs.Add((target with { TeacherRows = [Augmented(graph, model, target, bias)], SolvedColumns = Kept(graph, slice, geometry, bias is not null, removed) }, slice, bias));
        }

        var solved = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        if (jobs.Count == 0)
        {
            return (solved, ReconstructionTiming.None);
        }

        var order = model.Graph.Node.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, (IEqualityComparer<NodeProto>)ReferenceEqualityComparer.Instance);
        jobs = jobs.OrderBy(j => order[j.Target.Node]).ToList();
        var byNode = jobs.ToDictionary(j => j.Target.Node, j => j, (IEqualityComparer<NodeProto>)ReferenceEqualityComparer.Instance);
        var data = CalibrationSet.Open(model, settings);

        // The teacher: the model as it was before any weight here changed (channels are only zeroed, never removed, until every solve is done).
        var teacher = new OnnxModel(model.Proto.Clone(), model.BaseDirectory, model.SourcePath);
        var timing = LayerwiseReconstruction.Run(model, jobs.Select(j => j.Target).ToList(), data, (target, statistics) =>
        {
            var (_, slice, biasName) = byNode[target.Node];
            var geometry = target.Geometry;
            var weight = graph.Constants[target.Node.Input[1]];
            var values = TensorData.ToSingles(weight, model);
            var rows = WeightRows.Read(geometry, values, 0);
            var width = statistics.Gram[0].Size;
            var columns = geometry.Columns;
            var augmented = Augmented(graph, model, target, biasName);
            var biasValues = biasName is null ? null : TensorData.ToSingles(graph.Constants[biasName], model);
            var kept = target.SolvedColumns!;
            if (statistics.TeacherOutput is { } teacherOutput)
            {
                LeastSquares.SolveKept(statistics.Gram[0], teacherOutput[0], augmented, geometry.OutputsPerGroup, kept, Damping);
            }
            else
            {
                LeastSquares.SolveKept(statistics.Gram[0], statistics.Cross?[0], augmented, geometry.OutputsPerGroup, kept, Damping);
            }

            for (var o = 0; o < geometry.OutputsPerGroup; o++)
            {
                augmented.AsSpan(o * width, columns).CopyTo(rows.AsSpan(o * columns));
                if (biasValues is not null)
                {
                    biasValues[o] = (float)augmented[(o * width) + columns];
                }
            }

            WeightRows.Write(geometry, rows, values, 0);
            graph.ReplaceConstant(weight, WeightStore.Replace(model.Graph, weight, weight.Dims.ToArray(), values));
            if (biasValues is not null)
            {
                var bias = graph.Constants[biasName!];
                graph.ReplaceConstant(bias, WeightStore.Replace(model.Graph, bias, bias.Dims.ToArray(), biasValues));
            }

            solved.Add(target.Node);
        }, teacher, maxRows: MaxRows);
        return (solved, timing);
    }

    /// <summary>The Gram columns the solve keeps (ascending): every column of a channel not removed, and the bias column when there is one.</summary>
    private static List<int> Kept(ChannelGraph graph, TensorSlice slice, LayerGeometry geometry, bool withBias, HashSet<int> removed)
    {
        var perChannel = geometry.Columns / slice.Channels.Length;
        return Enumerable.Range(0, geometry.Columns + (withBias ? 1 : 0))
            .Where(d => d >= geometry.Columns || !removed.Contains(graph.Channels.Find(slice.Channels[d / perChannel]))).ToList();
    }

    /// <summary>The layer's weight rows [outputs, columns] with the bias appended as the last column when it has one.</summary>
    private static double[] Augmented(ChannelGraph graph, OnnxModel model, ReconstructionTarget target, string? biasName)
    {
        var geometry = target.Geometry;
        var rows = WeightRows.Read(geometry, TensorData.ToSingles(graph.Constants[target.Node.Input[1]], model), 0);
        var columns = geometry.Columns;
        var width = columns + (biasName is null ? 0 : 1);
        var augmented = new double[geometry.OutputsPerGroup * width];
        var biasValues = biasName is null ? null : TensorData.ToSingles(graph.Constants[biasName], model);
        for (var o = 0; o < geometry.OutputsPerGroup; o++)
        {
            rows.AsSpan(o * columns, columns).CopyTo(augmented.AsSpan(o * width));
            if (biasValues is not null)
            {
                augmented[(o * width) + columns] = biasValues[o];
            }
        }

        return augmented;
    }
}
