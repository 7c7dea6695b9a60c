using System.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// Drives layer-wise reconstruction in graph order. The layers are cut into stages whose statistics together fit
/// <c>memoryBudget</c> (a stage always holds at least one layer, so memory is bounded by the larger of the budget and
/// the largest layer's matrices, never by the data); each stage is one pass of the model as compressed so far over
/// the calibration data, so a later stage sees the already-compressed earlier layers. With a teacher (the original
/// model) each sample also runs through it, in lockstep, for the cross matrices. The solve callback rewrites the
/// layer's weight in the working model before the next stage runs.
/// </summary>
public static class LayerwiseReconstruction
{
    public const long DefaultMemoryBudget = 256L << 20;

    /// <summary>
    /// Two stages: the first runs the original model alone (nothing is compressed yet, so it is its own teacher), the
    /// second runs the compressed-so-far model and the teacher in lockstep, at most 3 model runs per sample in all.
    /// On the digits CNN (channel 25%) one stage gives 94.97% top-1, two 99.20%, one per layer (6) 98.59%.
    /// </summary>
    public const int DefaultPasses = 2;

    private static readonly ParallelOptions Parallelism = new() { MaxDegreeOfParallelism = Environment.ProcessorCount };

    /// <param name="rowsPerColumn">Sampled rows per Gram column over the calibration set (<see cref="InputRows.Quota"/>); 0 takes up to
    /// <see cref="InputRows.MaxRowsPerSample"/> rows of every sample.</param>
    /// <param name="diagonalOnly">Sum only each Gram matrix's diagonal (see <see cref="GramMatrix.DiagonalOnly"/>); cross matrices stay full.</param>
    public static ReconstructionTiming Run(OnnxModel model, IReadOnlyList<ReconstructionTarget> targets, Dataset data, Action<ReconstructionTarget, LayerStatistics> solve,
        OnnxModel? teacher = null, int passes = DefaultPasses, long memoryBudget = DefaultMemoryBudget, int rowsPerColumn = InputRows.RowsPerColumn,
        bool diagonalOnly = false)
    {
        if (targets.Count == 0 || data.Count == 0)
        {
            return ReconstructionTiming.None;
        }

        var capture = TimeSpan.Zero;
        var solving = TimeSpan.Zero;
        var runs = TimeSpan.Zero;
        long rowsAdded = 0;
        var done = 0;
        var perStage = (targets.Count + Math.Max(1, passes) - 1) / Math.Max(1, passes);
        long peak = 0;
        var next = 0;
        var factor = teacher is null ? 1 : 2;
        while (next < targets.Count)
        {
            var stage = new List<ReconstructionTarget>();
            long bytes = 0;
            while (next < targets.Count && (stage.Count == 0 || stage.Count < perStage && bytes + (factor * targets[next].Geometry.GramBytes(targets[next].WithBias)) <= memoryBudget))
            {
                bytes += factor * targets[next].Geometry.GramBytes(targets[next].WithBias);
                stage.Add(targets[next++]);
            }

            peak = Math.Max(peak, bytes);
            var clock = Stopwatch.StartNew();
            // Until the first solve the working model is the teacher, so the first stage needs no second run.
            var stageTeacher = done == 0 ? null : teacher;
            var statistics = stage.Select(t => new LayerStatistics(Matrices(t, diagonalOnly), stageTeacher is null ? null : Matrices(t, false))).ToList();
            var (stageRuns, stageRows) = Capture(model, stageTeacher, stage, data, statistics, rowsPerColumn);
            runs += stageRuns;
            rowsAdded += stageRows;
            done++;
            capture += clock.Elapsed;
            clock.Restart();
            for (var k = 0; k < stage.Count; k++)
            {
                if (statistics[k].Gram[0].Rows == 0)
                {
                    continue;
                }

                foreach (var gram in statistics[k].Gram)
                {
                    gram.Symmetrize();
                }

                foreach (var cross in statistics[k].Cross ?? [])
                {
                    cross.Normalize();
                }

                solve(stage[k], statistics[k]);
            }

            solving += clock.Elapsed;
        }

        return new ReconstructionTiming(targets.Count, done, data.Count, capture, solving, peak) { ModelRuns = runs, Rows = rowsAdded };
    }

    private static List<GramMatrix> Matrices(ReconstructionTarget target, bool diagonalOnly) =>
        Enumerable.Range(0, target.Geometry.Groups).Select(_ => new GramMatrix(target.Geometry.Columns + (target.WithBias ? 1 : 0), diagonalOnly)).ToList();

    /// <returns>Time spent in ONNX Runtime and the rows added.</returns>
    private static (TimeSpan ModelRuns, long Rows) Capture(OnnxModel model, OnnxModel? teacher, List<ReconstructionTarget> stage, Dataset data, List<LayerStatistics> statistics,
        int rowsPerColumn)
    {
        var names = stage.Select(t => t.Node.Input[0]).ToList();
        var runClock = Stopwatch.StartNew();
        using var working = new Probe(model, names);
        using var original = teacher is null ? null : new Probe(teacher, names);
        runClock.Stop();
        long added = 0;
        var quotas = stage.Select((t, k) => InputRows.Quota(statistics[k].Gram[0].Size, data.Count, rowsPerColumn)).ToList();
        var chunks = stage.Select((t, k) => Enumerable.Range(0, t.Geometry.Groups).Select(_ => new RowChunk(statistics[k].Gram[0].Size, teacher is not null, t.Geometry.Groups)).ToList()).ToList();
        for (var i = 0; i < data.Count; i++)
        {
            var sample = data.Sample(i);
            runClock.Start();
            var mine = working.Run(sample);
            var theirs = original?.Run(sample);
            runClock.Stop();
            var index = i;

            // Each layer's chunks and matrices belong to that layer alone and take its rows in sample order, whichever thread
            // runs it, so the sums (and the bytes of the solved weights) do not depend on scheduling.
            Parallel.For(0, stage.Count, Parallelism, k =>
            {
                var geometry = stage[k].Geometry;
                if (mine[k].ElementType != (int)TensorProto.Types.DataType.Float || (theirs is not null && !theirs[k].Shape.SequenceEqual(mine[k].Shape)))
                {
                    return;
                }

                var input = mine[k].AsSpan<float>();
                if (!Valid(geometry, mine[k].Shape, input.Length))
                {
                    return;
                }

                var (rows, step) = InputRows.Plan(geometry, mine[k].Shape, input.Length, quotas[k]);
                Interlocked.Add(ref added, (long)rows * geometry.Groups);
                for (var g = 0; g < geometry.Groups; g++)
                {
                    var chunk = chunks[k][g];
                    for (var start = 0; start < rows;)
                    {
                        var count = Math.Min(chunk.Capacity - chunk.Filled, rows - start);
                        InputRows.Fill(geometry, input, mine[k].Shape, g, stage[k].WithBias, step, start, count, chunk.Left, chunk.Capacity, chunk.Filled, index);
                        if (theirs is not null)
                        {
                            InputRows.Fill(geometry, theirs[k].AsSpan<float>(), theirs[k].Shape, g, stage[k].WithBias, step, start, count, chunk.Right!, chunk.Capacity, chunk.Filled, index);
                        }

                        chunk.Filled += count;
                        start += count;
                        if (chunk.Filled == chunk.Capacity)
                        {
                            chunk.Flush(statistics[k].Gram[g], statistics[k].Cross?[g]);
                        }
                    }
                }
            });
        }

        for (var k = 0; k < stage.Count; k++)
        {
            for (var g = 0; g < chunks[k].Count; g++)
            {
                chunks[k][g].Flush(statistics[k].Gram[g], statistics[k].Cross?[g]);
            }
        }

        return (runClock.Elapsed, added);
    }

    private static bool Valid(LayerGeometry geometry, long[] shape, int length) => geometry.Kind == LayerKind.Dense
        ? shape.Length >= 1 && shape[^1] == geometry.Columns && length % geometry.Columns == 0
        : shape.Length is 3 or 4 && shape[1] % geometry.Groups == 0
            && shape[1] / geometry.Groups * geometry.Window!.KernelHeight * geometry.Window.KernelWidth == geometry.Columns;

    /// <summary>A session exposing the stage's layer inputs (graph inputs come straight from the sample), as <see cref="ActivationCapture"/> does.</summary>
    private sealed class Probe : IDisposable
    {
        private readonly InferenceSession session;
        private readonly IReadOnlyList<string> names;
        private readonly List<string> fromRun;
        private readonly HashSet<string> graphInputs;

        public Probe(OnnxModel model, IReadOnlyList<string> names)
        {
            this.names = names;
            graphInputs = model.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            fromRun = names.Where(t => !graphInputs.Contains(t)).Distinct(StringComparer.Ordinal).ToList();

            // Full graph optimizations: ONNX Runtime never fuses away or renames a graph output, so every layer input asked for
            // comes back as the model computes it; without them the recognizer's runs took 1.5x as long (18 s vs 12 s for 2 x 32 lines).
            // Only the stage's inputs are outputs, and only the nodes in front of them stay (StageGraph).
            var probe = ModelOutputs.WithOutputs(model, fromRun);
            var wanted = fromRun.ToHashSet(StringComparer.Ordinal);
            for (var i = probe.Graph.Output.Count - 1; i >= 0 && fromRun.Count > 0; i--)
            {
                if (!wanted.Contains(probe.Graph.Output[i].Name))
                {
                    probe.Graph.Output.RemoveAt(i);
                }
            }

            if (fromRun.Count > 0)
            {
                StageGraph.KeepAncestors(probe.Graph, fromRun);
            }

            session = ModelSessions.Open(probe, SessionSettings.Default);
        }

        public HostTensor[] Run(IReadOnlyList<HostTensor> sample)
        {
            var outputs = fromRun.Count > 0 ? session.Run(sample, fromRun) : [];
            return names.Select(n => graphInputs.Contains(n) ? sample.First(s => s.Name == n) : outputs[fromRun.IndexOf(n)]).ToArray();
        }

        public void Dispose() => session.Dispose();
    }
}
