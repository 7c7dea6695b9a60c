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
/// model) each sample also runs through it, in lockstep, for the cross matrices. Earlier samples' rows are summed (up to two samples, each
/// layer in sample order) while ONNX Runtime runs the next. The solve callback rewrites the layer's weight in the working model before the
/// next stage runs.
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

    /// <summary>Samples whose layer inputs may still be folding while the next one runs (<see cref="OverlappedFold{T}"/>).</summary>
    private const int FoldWindow = 2;

    /// <param name="rowsPerColumn">Sampled rows per Gram column over the calibration set (<see cref="InputRows.Quota"/>); 0 takes up to
    /// <see cref="InputRows.MaxRowsPerSample"/> rows of every sample.</param>
    /// <param name="maxRows">Above 0, at most this many sampled rows per layer group over the calibration set (<see cref="InputRows.Quota"/>).</param>
    /// <param name="diagonalOnly">Sum only each Gram matrix's diagonal (see <see cref="GramMatrix.DiagonalOnly"/>); cross matrices stay full.</param>
    /// <param name="restartFromSpill">Each stage after the first starts from the tensors the previous stage spilled to a temporary file
    /// (<see cref="StagePlan"/>) instead of re-running the model from its inputs, unless the model holds Q/DQ nodes; false re-runs (the results
    /// agree up to float rounding).</param>
    public static ReconstructionTiming Run(OnnxModel model, IReadOnlyList<ReconstructionTarget> targets, Dataset data, Action<ReconstructionTarget, LayerStatistics> solve,
        OnnxModel? teacher = null, int passes = DefaultPasses, long memoryBudget = DefaultMemoryBudget, int rowsPerColumn = InputRows.RowsPerColumn,
        bool diagonalOnly = false, bool restartFromSpill = true, long maxRows = 0)
    {
        if (targets.Count == 0 || data.Count == 0)
        {
            return ReconstructionTiming.None;
        }

        var capture = TimeSpan.Zero;
        var cpu = TimeSpan.Zero;
        long faults = 0;
        using var process = Process.GetCurrentProcess();
        var solving = TimeSpan.Zero;
        var runs = TimeSpan.Zero;
        long rowsAdded = 0;
        var restarts = 0;
        var stageTimes = new List<StageTiming>();
        var stages = Stages(targets, teacher is null ? 1 : 2, passes, memoryBudget);
        var peak = stages.Max(s => s.Sum(t => (teacher is null ? 1 : 2) * t.Geometry.GramBytes(t.WithBias)));
        var clock = Stopwatch.StartNew();
        // Not in a Q/DQ graph: cutting it at a spilled boundary changes which Q/DQ pairs ONNX Runtime fuses into integer kernels,
        // so the values are no longer the re-run's (GPTQ for int8-static on the recognizer read cosine 0.9763 instead of beating nearest's 0.9768).
        var quantized = model.Graph.Node.Any(n => n.OpType is "QuantizeLinear" or "DequantizeLinear");
        var spilling = restartFromSpill && !quantized && stages.Count > 1;
        var plan = spilling ? StagePlan.Of(model.Graph, stages) : stages.Select(_ => new StageRun([], [])).ToList();
        var folder = plan.Any(p => p.Spill.Count > 0 || (teacher is not null && p.TeacherSpill.Count > 0)) ? Directory.CreateTempSubdirectory("compressbuild-capture-") : null;
        capture += clock.Elapsed;
        try
        {
            string? workingStart = null, teacherStart = null;
            for (var k = 0; k < stages.Count; k++)
            {
                var stage = stages[k];
                clock.Restart();
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var faultsBefore = PageFaults.Minor();

                // Until the first solve the working model is the teacher, so the first stage needs no second run (and its spill serves both).
                var stageTeacher = k == 0 ? null : teacher;
                var statistics = stage.Select(t => Statistics(t, diagonalOnly, stageTeacher is not null)).ToList();
                // The first stage's run is the teacher's too: it also spills where the second stage's teacher run starts.
                var spills = new StageSpills(plan[k], workingStart, teacherStart,
                    folder is null || plan[k].Spill.Count == 0 ? null : Path.Combine(folder.FullName, $"stage{k}.bin"),
                    folder is null || plan[k].TeacherSpill.Count == 0 || teacher is null ? null : Path.Combine(folder.FullName, $"stage{k}-teacher.bin"));
                restarts += k > 0 && spilling && (workingStart is not null || plan[k].Start.Count == 0) ? 1 : 0;
                var (stageTime, stageRows, workingDone, teacherDone) = Capture(model, stageTeacher, stage, data, statistics, rowsPerColumn, maxRows, spills);
                foreach (var used in new[] { workingStart, teacherStart }.OfType<string>().Distinct(StringComparer.Ordinal))
                {
                    File.Delete(used);
                }

                workingStart = workingDone;
                teacherStart = teacherDone;
                runs += stageTime.WorkingOpen + stageTime.WorkingRuns + stageTime.TeacherOpen + stageTime.TeacherRuns + stageTime.Spills;
                rowsAdded += stageRows;
                capture += clock.Elapsed;
                process.Refresh();
                cpu += process.TotalProcessorTime - cpuBefore;
                faults += PageFaults.Minor() - faultsBefore;
                stageTimes.Add(stageTime with { Capture = clock.Elapsed, CaptureCpu = process.TotalProcessorTime - cpuBefore });
                clock.Restart();
                for (var i = 0; i < stage.Count; i++)
                {
                    if (statistics[i].Gram[0].Rows == 0)
                    {
                        continue;
                    }

                    foreach (var gram in statistics[i].Gram)
                    {
                        gram.Symmetrize();
                    }

                    foreach (var cross in statistics[i].Cross ?? [])
                    {
                        cross.Normalize();
                    }

                    foreach (var output in statistics[i].TeacherOutput ?? [])
                    {
                        output.Normalize();
                    }

                    solve(stage[i], statistics[i]);
                }

                solving += clock.Elapsed;
            }
        }
        finally
        {
            folder?.Delete(recursive: true);
        }

        return new ReconstructionTiming(targets.Count, stages.Count, data.Count, capture, solving, peak)
        {
            ModelRuns = runs, Rows = rowsAdded, Restarts = restarts, Stages = stageTimes, CaptureCpu = cpu, CaptureFaults = faults,
        };
    }

    /// <summary>The layers cut into stages in graph order: at most <paramref name="passes"/> stages' worth of layers each, within the memory budget, at least one layer.</summary>
    private static List<IReadOnlyList<ReconstructionTarget>> Stages(IReadOnlyList<ReconstructionTarget> targets, int factor, int passes, long memoryBudget)
    {
        var perStage = (targets.Count + Math.Max(1, passes) - 1) / Math.Max(1, passes);
        var stages = new List<IReadOnlyList<ReconstructionTarget>>();
        var next = 0;
        while (next < targets.Count)
        {
            var stage = new List<ReconstructionTarget>();
            long bytes = 0;
            while (next < targets.Count && (stage.Count == 0 || stage.Count < perStage && bytes + (factor * targets[next].Geometry.GramBytes(targets[next].WithBias)) <= memoryBudget))
            {
                bytes += factor * targets[next].Geometry.GramBytes(targets[next].WithBias);
                stage.Add(targets[next++]);
            }

            stages.Add(stage);
        }

        return stages;
    }

    private static LayerStatistics Statistics(ReconstructionTarget target, bool diagonalOnly, bool teacher)
    {
        var gram = Matrices(target, diagonalOnly);
        if (!teacher)
        {
            return new LayerStatistics(gram, null);
        }

        var size = gram[0].Size;
        return target.TeacherRows is { } rows && rows.Count == target.Geometry.Groups && !diagonalOnly
            ? new LayerStatistics(gram.Select(g => GramMatrix.Wide(size, target.SolvedColumns)).ToList(), null, rows.Select(r => new OutputCross(size, target.Geometry.OutputsPerGroup, r)).ToList())
            : new LayerStatistics(gram, Matrices(target, false));
    }

    private static List<GramMatrix> Matrices(ReconstructionTarget target, bool diagonalOnly) =>
        Enumerable.Range(0, target.Geometry.Groups).Select(_ => new GramMatrix(target.Geometry.Columns + (target.WithBias ? 1 : 0), diagonalOnly)).ToList();

    /// <returns>Time spent in ONNX Runtime (the stage's capture total is filled in by the caller), the rows added, and the spill files written in full (null where none was).</returns>
    private static (StageTiming Time, long Rows, string? WorkingSpill, string? TeacherSpill) Capture(OnnxModel model, OnnxModel? teacher, IReadOnlyList<ReconstructionTarget> stage,
        Dataset data, List<LayerStatistics> statistics, int rowsPerColumn, long maxRows, StageSpills spills)
    {
        var names = stage.Select(t => t.Node.Input[0]).ToList();
        using var process = Process.GetCurrentProcess();
        var runsCpu = process.TotalProcessorTime;
        var runClock = Stopwatch.StartNew();
        var run = spills.Run;
        var workingSpill = spills.WorkingSpill is null ? [] : run.Spill;
        var teacherSpill = spills.TeacherSpill is null ? [] : run.TeacherSpill;
        // Without a teacher probe (the first stage) the working run spills for both; each writer takes its own tensors from that one list.
        List<string> spilled = teacher is null ? [.. workingSpill.Union(teacherSpill, StringComparer.Ordinal)] : [.. workingSpill];
        using var working = new StageProbe(model, names, spills.WorkingStart is null ? [] : run.Start, spilled);
        using var original = teacher is null ? null : new StageProbe(teacher, names, spills.TeacherStart is null ? [] : run.TeacherStart, teacherSpill);
        using var workingIn = spills.WorkingStart is null ? null : new SpillReader(spills.WorkingStart, run.Start, FoldWindow);
        using var teacherIn = teacher is null || spills.TeacherStart is null ? null : new SpillReader(spills.TeacherStart, run.TeacherStart, FoldWindow);
        var workingPicks = workingSpill.Select(n => spilled.IndexOf(n)).ToArray();
        var teacherPicks = teacher is null ? teacherSpill.Select(n => spilled.IndexOf(n)).ToArray() : [.. Enumerable.Range(0, teacherSpill.Count)];
        using var workingOut = spills.WorkingSpill is null ? null : new SpillWriter(spills.WorkingSpill);
        using var teacherOut = spills.TeacherSpill is null ? null : new SpillWriter(spills.TeacherSpill);
        runClock.Stop();
        process.Refresh();
        runsCpu = process.TotalProcessorTime - runsCpu;
        long added = 0;
        var quotas = stage.Select((t, k) => InputRows.Quota(statistics[k].Gram[0].Size, data.Count, rowsPerColumn, maxRows)).ToList();
        // A depthwise layer without a teacher sums its sampled rows for all its groups at once (DepthwiseGram); every position of it goes through
        // ShiftedViewGram (as fast, and it pairs the teacher's input), so it needs no chunks.
        var depthwise = stage.Select((t, k) => DepthwiseGram.Applies(t.Geometry) && ShiftedViewGram.Applies(t.Geometry) && statistics[k] is { Cross: null, TeacherOutput: null }
            && !statistics[k].Gram[0].DiagonalOnly ? new DepthwiseGram(t.Geometry, t.WithBias) : null).ToList();
        var chunks = stage.Select((t, k) => depthwise[k] is not null ? []
            : Enumerable.Range(0, t.Geometry.Groups).Select(_ => new RowChunk(statistics[k].Gram[0].Size, teacher is not null, t.Geometry.Groups)).ToList()).ToList();
        // Earlier samples' layer inputs are folded into the matrices on pool threads while ONNX Runtime runs the next sample (`OverlappedFold`,
        // one part per layer): up to FoldWindow + 1 samples' runs alive at a time, in ORT's buffers. Each layer takes the samples one after
        // another, so its rows arrive in sample order, whichever thread runs it, and the sums (and the bytes of the solved weights) do not
        // depend on scheduling. One more part writes the spill files, in sample order, straight from those buffers: off the thread that runs
        // the sessions, and without the copy each run made of its spilled tensors (about 0.05 s of the recognizer's capture at 32 lines).
        var spillPart = workingOut is null && teacherOut is null ? -1 : stage.Count;
        var pipeline = new OverlappedFold<SampleRuns>(stage.Count + (spillPart < 0 ? 0 : 1), FoldWindow);
        try
        {
            for (var i = 0; i < data.Count; i++)
            {
                var sample = working.ReadsSample || original?.ReadsSample == true ? data.Sample(i) : [];
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                runClock.Start();
                var mine = working.Run(sample, workingIn?.Read() ?? []);
                StageValues? theirs;
                try
                {
                    theirs = original?.Run(sample, teacherIn?.Read() ?? []);
                }
                catch
                {
                    mine.Dispose();
                    throw;
                }

                runClock.Stop();
                process.Refresh();
                runsCpu += process.TotalProcessorTime - cpuBefore;
                var index = i;
                pipeline.Next(new SampleRuns(mine, theirs), (runs, k) =>
                {
                    if (k == spillPart)
                    {
                        workingOut?.Write(runs.Working, workingPicks);
                        teacherOut?.Write(runs.Teacher ?? runs.Working, teacherPicks);
                        return;
                    }

                    Fold(stage[k], statistics[k], chunks[k], depthwise[k], quotas[k], runs.Working, runs.Teacher, index, k, ref added);
                });
            }
        }
        catch
        {
            pipeline.Abandon();
            throw;
        }

        pipeline.Drain();

        for (var k = 0; k < stage.Count; k++)
        {
            for (var g = 0; g < chunks[k].Count; g++)
            {
                chunks[k][g].Flush(statistics[k].Gram[g], statistics[k].Cross?[g], statistics[k].TeacherOutput?[g]);
                chunks[k][g].Release();
            }

            depthwise[k]?.Flush(statistics[k].Gram);
        }

        var spillIo = runClock.Elapsed - working.Opening - working.Running - (original?.Opening ?? TimeSpan.Zero) - (original?.Running ?? TimeSpan.Zero);
        var time = new StageTiming(stage.Count, working.Opening, working.Running, original?.Opening ?? TimeSpan.Zero, original?.Running ?? TimeSpan.Zero, spillIo, TimeSpan.Zero)
        {
            RunsCpu = runsCpu,
        };
        return (time, added, Complete(workingOut), Complete(teacherOut));
    }

    /// <summary>Folds one sample's input of layer <paramref name="k"/> (and the teacher's) into that layer's matrices.</summary>
    private static void Fold(ReconstructionTarget target, LayerStatistics statistics, List<RowChunk> chunks, DepthwiseGram? depthwise, int quota,
        StageValues mine, StageValues? theirs, int index, int k, ref long added)
    {
        var geometry = target.Geometry;
        var shape = mine.Shape(k);
        var theirShape = theirs?.Shape(k);
        if (mine.ElementType(k) != (int)TensorProto.Types.DataType.Float || (theirShape is not null && !theirShape.SequenceEqual(shape)))
        {
            return;
        }

        var input = mine.Values(k);
        if (!Valid(geometry, shape, input.Length))
        {
            return;
        }

        var (rows, step) = InputRows.Plan(geometry, shape, input.Length, quota);
        Interlocked.Add(ref added, (long)rows * geometry.Groups);
        if (depthwise is not null && step > 1)
        {
            depthwise.Add(input, shape, rows, step, index);
            return;
        }

        if (step == 1 && ShiftedViewGram.Applies(geometry) && statistics.TeacherOutput is null)
        {
            // Every position of a few-channel group: im2col columns copied from shifted views of each channel, not element by element.
            ShiftedViewGram.Add(geometry, input, shape, target.WithBias, statistics.Gram, theirs is null ? default : theirs.Values(k), statistics.Cross);
            return;
        }

        // Every group's chunk holds the same rows (the same capacity, filled alike), so each slice of rows is cut once for all groups
        // and a sampled Conv's window offsets (InputRows.Taps) are computed once for them and for the teacher's input of the same shape.
        var filled = chunks[0];
        for (var start = 0; start < rows;)
        {
            var count = Math.Min(filled.Capacity - filled.Filled, rows - start);
            var taps = InputRows.Taps(geometry, shape, step, start, count, index);
            for (var g = 0; g < geometry.Groups; g++)
            {
                var chunk = chunks[g];
                InputRows.Fill(geometry, input, shape, g, target.WithBias, step, start, count, chunk.Left, chunk.Capacity, chunk.Filled, index, taps);
                if (theirs is not null)
                {
                    InputRows.Fill(geometry, theirs.Values(k), theirShape!, g, target.WithBias, step, start, count, chunk.Right!, chunk.Capacity, chunk.Filled, index, taps);
                }

                chunk.Filled += count;
                if (chunk.Filled == chunk.Capacity)
                {
                    chunk.Flush(statistics.Gram[g], statistics.Cross?[g], statistics.TeacherOutput?[g]);
                }
            }

            start += count;
        }
    }

    private static string? Complete(SpillWriter? writer) => writer is { Failed: false } ? writer.Path : null;

    private static bool Valid(LayerGeometry geometry, long[] shape, int length) => geometry.Kind == LayerKind.Dense
        ? shape.Length >= 1 && shape[^1] == geometry.Columns && length % geometry.Columns == 0
        : shape.Length is 3 or 4 && shape[1] % geometry.Groups == 0
            && shape[1] / geometry.Groups * geometry.Window!.KernelHeight * geometry.Window.KernelWidth == geometry.Columns;
}
