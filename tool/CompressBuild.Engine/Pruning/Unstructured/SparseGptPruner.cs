using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning.Structured;
using CompressBuild.Engine.Reconstruction;

namespace CompressBuild.Engine.Pruning.Unstructured;

/// <summary>
/// --reconstruct for magnitude and N:M: each MatMul / Gemm / Conv layer is re-pruned with <see cref="SparseGpt"/>
/// to exactly as many zeros as the magnitude ranking gave it (so LAMP and per-layer allocations keep their shape), to the
/// count an OWL or distortion allocation gives it (global scope: distortion within <see cref="LayerAllocation.GlobalSpread"/>),
/// or to the N:M pattern along a Conv's input channels (<see cref="NmLayers"/>), in graph order on the model as pruned so
/// far. Layers SparseGPT cannot view (ConvTranspose, 3-D MatMul weights) keep their magnitude masks.
/// </summary>
internal static class SparseGptPruner
{
    /// <summary>
    /// At most this many layers share a stage of the sequential capture, so a layer is fitted to inputs at most this
    /// many uncompressed layers stale. On PP-OCRv4's 47-layer recognizer at 50% per layer (character accuracy, reference
    /// 81.84%, 64 held-out lines, 32 calibration lines), 2 stages gave 76.87%, 6 stages (8 layers each) 79.85% and 12 stages
    /// (4 each) 81.97%, for about twice the capture time of 6. On the digits models (3 to 14 layers) 2 stages did better
    /// than one stage per 2 layers (cnn_residual 39.03% vs 32.39%, transformer 97.38% vs 96.58%) and than 4 stages on the
    /// transformer at 50% (96.98%; 2:4 gained 95.17% -> 95.98%), so models up to <see cref="SmallModelLayers"/> layers keep
    /// the reconstruction's default. With sampled rows (64 per Gram column) 6 stages still lost too much (80.22% / 81.11% on held-out
    /// seeds 11 / 13 against 81.47% / 82.24% with 12; reference 81.84% / 82.62%) for about 25% less capture CPU.
    /// </summary>
    public const int LayersPerStage = 4;

    /// <summary>
    /// Sampled input rows per Gram column over the calibration set (<see cref="InputRows.Quota"/>) instead of every position: the
    /// recognizer's 47 layers take 14.6 M rows instead of 78 M over 32 lines, 17.8 M instead of 313 M over 128. Its character accuracy
    /// at 50% per layer (reference 81.84% / 82.62% on 64 held-out lines of seeds 11 / 13), 32 calibration lines: every row 81.97% /
    /// 82.62%, 256 rows per column 81.97% / 82.12%, 64 rows (GPTQ's <see cref="InputRows.RowsPerColumn"/>) 81.47% / 82.24%, 32 rows
    /// 81.22% / 82.87%, 16 rows 80.97% / 82.75%; 128 lines: every row 80.97% / 82.12%, 256 rows 81.59% / 82.37%, 64 rows 79.35% / 81.36%
    /// (2.5 points down). 256 keeps both within half a point.
    /// </summary>
    public const int RowsPerColumn = 256;

    /// <summary>Models with at most this many layers keep <see cref="LayerwiseReconstruction.DefaultPasses"/> stages.</summary>
    public const int SmallModelLayers = 16;

    public static ReconstructionTiming Apply(OnnxModel model, IReadOnlyList<PrunableLayer> layers, IList<float[]> weights, PruneSettings settings)
    {
        var jobs = new Dictionary<Onnx.Proto.NodeProto, int>(ReferenceEqualityComparer.Instance);
        var targets = new List<ReconstructionTarget>();
        var indices = new List<int>();
        for (var l = 0; l < layers.Count; l++)
        {
            // A body's layer inputs cannot be captured (ModelPruner says so); it keeps its magnitude mask.
            // A layer N:M leaves dense (NmLayers) is not swept: SparseGPT with no zeros gives its weights back unchanged.
            var dense = settings.Method == PruneMethod.NM && NmLayers.DenseReason(layers[l], settings.Pattern ?? NmPattern.TwoFour) is not null;
            if (!layers[l].InSubgraph && !dense && LayerGeometry.Of(layers[l].Node, layers[l].Weight) is { } geometry)
            {
                jobs[layers[l].Node] = targets.Count;
                indices.Add(l);
                targets.Add(new ReconstructionTarget(layers[l].Node, layers[l].Weight, geometry, false));
            }
        }

        NmPattern? pattern = settings.Method == PruneMethod.NM ? settings.Pattern ?? NmPattern.TwoFour : null;
        var data = CalibrationSet.Open(model, settings);
        var counts = indices.Select(l => WeightStore.CountZeros(weights[l])).ToArray();
        if (pattern is null && settings.AllocationEffective is SparsityAllocation.Owl or SparsityAllocation.Distortion)
        {
            counts = Allocate(model, targets, data, counts.Sum(), settings.AllocationEffective, LayerAllocation.DefaultSpread);
        }
        else if (pattern is null && targets.Count > 0 && settings.Scope == SparsityScope.Global && settings.AllocationEffective == SparsityAllocation.Uniform)
        {
            // Global scope: the |w| ranking starves the layers SparseGPT repairs least (PP-OCRv4's recognizer: SE convs at 97-99%,
            // 69.28% character accuracy); SparseGPT's own normalized saliency ranks them instead, within LayerAllocation.GlobalSpread.
            counts = Allocate(model, targets, data, counts.Sum(), SparsityAllocation.Distortion, LayerAllocation.GlobalSpread);
        }

        var passes = targets.Count <= SmallModelLayers ? LayerwiseReconstruction.DefaultPasses : (targets.Count + LayersPerStage - 1) / LayersPerStage;
        return LayerwiseReconstruction.Run(model, targets, data, (target, statistics) =>
        {
            var t = jobs[target.Node];
            var geometry = target.Geometry;
            var current = model.Graph.Initializer.First(i => i.Name == target.Weight.Name);
            var values = TensorData.ToSingles(current, model);
            var rows = Enumerable.Range(0, geometry.Groups).Select(g => WeightRows.Read(geometry, values, g)).ToArray();
            if (pattern is { } nm)
            {
                var taps = geometry.Window is { } window ? window.KernelHeight * window.KernelWidth : 1;
                for (var g = 0; g < geometry.Groups; g++)
                {
                    var gram = TapMajor.Gram(statistics.Gram[g], taps);
                    var permuted = TapMajor.Rows(rows[g], geometry.OutputsPerGroup, taps, toTapMajor: true);
                    SparseGpt.Prune(gram, permuted, geometry.OutputsPerGroup, 0L, nm.N, nm.M, overwriteGram: true);
                    rows[g] = TapMajor.Rows(permuted, geometry.OutputsPerGroup, taps, toTapMajor: false);
                }
            }
            else
            {
                var shares = Shares(counts[t], geometry.Groups);
                for (var g = 0; g < geometry.Groups; g++)
                {
                    SparseGpt.Prune(statistics.Gram[g], rows[g], geometry.OutputsPerGroup, shares[g], overwriteGram: true);
                }
            }

            for (var g = 0; g < geometry.Groups; g++)
            {
                WeightRows.Write(geometry, rows[g], values, g);
            }

            weights[indices[t]] = values;
            WeightStore.Replace(model.Graph, current, current.Dims.ToArray(), values);
        }, passes: passes, rowsPerColumn: RowsPerColumn);
    }

    /// <summary>
    /// A count split over equal groups, the first ones taking the remainder, so a depthwise layer meets its count exactly
    /// (each 3x3 filter rounding 4.5 to 4 left those layers at 44%). Choosing the mask across the groups at once by the
    /// same saliency instead (their output errors share units) measured far worse on the PP-OCRv4 recognizer at 50% per
    /// layer: 72.26% character accuracy against 79.85% for equal shares (reference 81.84%).
    /// </summary>
    private static long[] Shares(long count, int groups) => Enumerable.Range(0, groups).Select(g => (count / groups) + (g < count % groups ? 1 : 0)).ToArray();

    /// <summary>Each layer's zero count from statistics of the original model's inputs (one capture of every layer before any is pruned).</summary>
    private static long[] Allocate(OnnxModel model, List<ReconstructionTarget> targets, Evaluation.Dataset data, long total, SparsityAllocation allocation, double spread)
    {
        var costs = new double[targets.Count][];
        var outliers = new double[targets.Count];
        var index = new Dictionary<Onnx.Proto.NodeProto, int>(ReferenceEqualityComparer.Instance);
        for (var k = 0; k < targets.Count; k++)
        {
            index[targets[k].Node] = k;
        }

        LayerwiseReconstruction.Run(model, targets, data, (target, statistics) =>
        {
            var k = index[target.Node];
            var geometry = target.Geometry;
            var values = TensorData.ToSingles(target.Weight, model);
            var n = geometry.Columns;
            var layerCosts = new List<double>(values.Length);
            var wanda = new List<double>(values.Length);
            double energy = 0;
            for (var g = 0; g < geometry.Groups; g++)
            {
                var rows = WeightRows.Read(geometry, values, g);
                var h = statistics.Gram[g].Values;
                if (allocation == SparsityAllocation.Distortion)
                {
                    layerCosts.AddRange(SparseGpt.Saliencies(statistics.Gram[g], rows, geometry.OutputsPerGroup));
                    energy += Energy(statistics.Gram[g], rows, n, geometry.OutputsPerGroup);
                }
                else
                {
                    for (var i = 0; i < rows.Length; i++)
                    {
                        wanda.Add(Math.Abs(rows[i]) * Math.Sqrt(h[((i % n) * n) + (i % n)]));
                    }
                }
            }

            if (allocation == SparsityAllocation.Distortion)
            {
                costs[k] = layerCosts.Select(c => energy > 0 ? c / energy : c).ToArray();
            }
            else
            {
                outliers[k] = LayerAllocation.OutlierRatio(wanda.ToArray());
            }
        }, passes: 1, rowsPerColumn: 0);

        // A layer the capture never reached (its input was not float) keeps costs of zero: it is among the first pruned.
        for (var k = 0; k < targets.Count; k++)
        {
            costs[k] ??= new double[TensorShape.ElementCount(targets[k].Weight)];
        }

        return allocation == SparsityAllocation.Distortion
            ? LayerAllocation.ByDistortion(costs, total, spread)
            : LayerAllocation.ByOutliers(outliers, targets.Select(t => TensorShape.ElementCount(t.Weight)).ToArray(), total, spread);
    }

    /// <summary>sum over outputs of w_o^T H w_o: the layer's mean squared output on the calibration rows.</summary>
    private static double Energy(GramMatrix gram, double[] rows, int n, int outputs)
    {
        double total = 0;
        for (var o = 0; o < outputs; o++)
        {
            total += gram.Quadratic(rows.AsSpan(o * n, n));
        }

        return total;
    }
}
