using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Preprocessing;
using CompressBuild.Engine.Quantization.Dynamic;
using CompressBuild.Engine.Quantization.Fp16;
using CompressBuild.Engine.Quantization.Qdq;
using CompressBuild.Engine.Quantization.WeightOnly;

namespace CompressBuild.Engine.Quantization;

/// <summary>
/// The quantization engine's entry point: prepares the model (Preprocessing.ModelPreprocessor: the opset raised
/// when the quantized form needs it, constants and BatchNormalization folded unless turned off, Constant-node
/// weights promoted), runs the pass of the chosen mode, and returns the
/// new model with every decision and advisory. The input model is never modified. A model the pass finds
/// nothing to quantize in comes back unchanged, with advisory CB4012.
/// </summary>
public static class ModelQuantizer
{
    public static QuantizationResult Quantize(OnnxModel model, QuantizationOptions options, Dataset? calibration = null) =>
        Quantize(model, options, calibration, null);

    /// <param name="histograms">Activation histograms to reuse and extend across runs on the same model and data.</param>
    /// <param name="sharing">What earlier quantizations of the same model and data with other rounding/smoothing computed (Weights.HeldOutChoice's candidates).</param>
    internal static QuantizationResult Quantize(OnnxModel model, QuantizationOptions options, Dataset? calibration, IDictionary<string, Calibration.ActivationHistogram>? histograms,
        CandidateSharing? sharing = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options, calibration, model.DisplayName);
        // Before the range search, whose trial quantizations then use the chosen rounding instead of choosing again.
        var auto = options.Rounding == Weights.WeightRounding.Auto;
        (options, var roundingChoice) = Weights.HeldOutChoice.Resolve(model, options, calibration);
        (options, var tailRanges) = Calibration.TailRangeChoice.Resolve(model, options, calibration, auto);
        if (options.Calibration == Calibration.CalibrationMethod.Search && options.Mode == QuantizationMode.Int8Static && calibration is not null)
        {
            options = Calibration.RangeSearch.Resolve(model, options, calibration, histograms);
        }

        var opsetBefore = model.OpsetVersion("");
        if (sharing?.Prepared is not null)
        {
            sharing.Reuses++;
        }

        var (prepared, preprocessing, opsetProblem) = sharing?.Prepared ?? Prepare(model, options, opsetBefore, calibration);
        if (sharing is not null)
        {
            sharing.Prepared = (prepared, preprocessing, opsetProblem);
        }

        var work = new QuantizationWork(new OnnxModel(prepared.Proto.Clone(), prepared.BaseDirectory, prepared.SourcePath), options) { Histograms = histograms };
        NameNodes(work.Graph);

        // Names refer to the model as given or as prepared (folded nodes, names given to unnamed nodes above).
        work.Exclusions = NodeExclusions.Create(options.ExcludeNodes, options.ExcludeOpTypes, GraphNodes.All(model.Graph).Concat(GraphNodes.All(work.Graph)), model.DisplayName);
        foreach (var advisory in preprocessing?.Advisories ?? [])
        {
            work.Advisories.Add(new QuantizationAdvisory(advisory.Code, advisory.Message));
        }

        var kept = KeptNames.Of(work.Graph);
        switch (options.Mode)
        {
            case QuantizationMode.Int8Static:
                if (PrepareOpset(work, work.Model.OpsetVersion(""), opsetProblem))
                {
                    Fusion.FusionPreparation.Apply(work);
                    if (options.Smooth is { } alpha)
                    {
                        Smoothing.SmoothQuant.Apply(work, calibration!, alpha, options.Session, sharing);
                    }

                    QdqQuantizer.Apply(work, calibration!, options);
                }

                break;
            case QuantizationMode.Int8Dynamic:
                DynamicQuantizer.Apply(work, options);
                break;
            case QuantizationMode.Fp16:
                Fp16Converter.Apply(work, options, calibration);
                break;
            case QuantizationMode.Int4Weight:
            case QuantizationMode.Int8Weight:
                WeightOnlyQuantizer.Apply(work, options, options.Mode == QuantizationMode.Int4Weight ? 4 : 8, calibration);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "unknown mode");
        }

        var nodes = work.Decisions;
        if (!nodes.Any(n => n.Quantized))
        {
            work.Advise(DiagnosticCodes.NothingToQuantize, $"nothing to quantize for {ModeName(options.Mode)} (no supported node with constant " +
                $"float weights was found or left after exclusions); the model is written unchanged.");
            return new QuantizationResult(model, options.Mode, opsetBefore, opsetBefore, nodes, work.Advisories, 0) { Preprocessing = preprocessing };
        }

        if (options.CompactGraph)
        {
            Compact(work, kept, model);
        }

        return new QuantizationResult(work.Model, options.Mode, opsetBefore, work.Model.OpsetVersion(""), nodes, work.Advisories, calibration?.Count ?? 0)
        {
            CalibrationMilliseconds = work.CalibrationMilliseconds,
            CalibrationCpuMilliseconds = work.CalibrationCpuMilliseconds,
            Preprocessing = preprocessing,
            FusionRewrites = work.FusionRewrites,
            RoundingChoice = roundingChoice,
            TailRanges = tailRanges,
        };
    }

    /// <summary>The opset per-channel QDQ needs (QuantizeLinear's axis attribute arrived at 13).</summary>
    public const int QdqOpset = 13;

    /// <summary>
    /// Pre-processes the model (or only promotes Constant weights when the user turned pre-processing off) and,
    /// for int8-static, raises the opset to <see cref="QdqOpset"/>. A model the converter cannot raise is
    /// pre-processed at its own opset, and the reason comes back for the per-tensor fallback's advisory.
    /// </summary>
    private static (OnnxModel Model, PreprocessResult? Result, string? OpsetProblem) Prepare(OnnxModel model, QuantizationOptions options, long opset, Dataset? calibration)
    {
        // int4-weight stores Conv weights as int4, which DequantizeLinear reads from opset 21.
        // int8-dynamic's ConvInteger needs DynamicQuantizeLinear (opset 11), int8-weight's per-channel DequantizeLinear 13.
        var convs = Subgraphs.AllNodes(model.Graph).Any(n => n.OpType == "Conv");
        var mode = QuantizationModes.Of(options.Mode);
        var target = mode.Opset is { } wanted && opset < wanted && (convs || !mode.OpsetForConvOnly) ? wanted : (int?)null;
        var preprocess = (options.Preprocess ? PreprocessOptions.Default : PreprocessOptions.ConversionOnly with { PromoteConstants = true })
            with { SampleInputs = target is not null && calibration is { Count: > 0 } ? calibration.Sample(0) : null };
        if (!options.Preprocess && target is null)
        {
            var copy = new OnnxModel(model.Proto.Clone(), model.BaseDirectory, model.SourcePath);
            ConstantPromotion.Promote(copy.Graph);
            return (copy, null, null);
        }

        try
        {
            var result = ModelPreprocessor.Run(model, preprocess with { TargetOpset = target });
            return (result.Model, result, null);
        }
        catch (CompressBuildException e) when (target is not null && (e.Code == DiagnosticCodes.OpsetOpNotConvertible || e.Code == DiagnosticCodes.OpsetSourceTooOld))
        {
            var result = ModelPreprocessor.Run(model, preprocess);
            return (result.Model, result, e.Message);
        }
    }

    /// <summary>Unnamed nodes get a stable name (op type and position), so reports and --exclude-nodes can refer to them.</summary>
    private static void NameNodes(Onnx.Proto.GraphProto graph)
    {
        var taken = graph.Node.Select(n => n.Name).Where(n => n.Length > 0).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < graph.Node.Count; i++)
        {
            if (graph.Node[i].Name.Length == 0)
            {
                var name = $"{graph.Node[i].OpType}_{i}";
                while (!taken.Add(name))
                {
                    name += "_";
                }

                graph.Node[i].Name = name;
            }
        }
    }

    /// <summary>
    /// The smallest graph for what the pass wrote: equal scale/zero-point constants stored once, short names for
    /// everything the pass added (the names the reports use, every node a decision names, keep theirs), and no
    /// value_info beyond what <paramref name="given"/> declared: pre-processing records ONNX Runtime's inferred shapes
    /// for the passes, and ONNX Runtime infers them again when it loads the model.
    /// </summary>
    private static void Compact(QuantizationWork work, KeptNames kept, OnnxModel given)
    {
        var declared = given.Graph.ValueInfo.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var info in work.Graph.ValueInfo.Where(v => !declared.Contains(v.Name)).ToList())
        {
            work.Graph.ValueInfo.Remove(info);
        }

        kept.Nodes.UnionWith(work.Decisions.Select(d => d.Node));
        InitializerSharing.Share(work.Graph, kept);
        GeneratedNames.Compact(work.Graph, kept);
    }

    /// <summary>The mode's name as users write it; <see cref="QuantizationModes"/> holds it.</summary>
    public static string ModeName(QuantizationMode mode) => QuantizationModes.NameOf(mode);

    /// <summary>
    /// Per-channel QDQ needs opset 13, which <see cref="Prepare"/> converted the model to; a model the converter
    /// refused stays at its opset and uses per-tensor scales (opset 10+), or is not quantized (below 10).
    /// </summary>
    private static bool PrepareOpset(QuantizationWork work, long opset, string? problem)
    {
        if (opset >= QdqOpset)
        {
            return true;
        }

        if (opset < 10)
        {
            work.Advise(DiagnosticCodes.OpsetTooOldPerTensorFallback,
                $"the model uses opset {opset}, which has no QuantizeLinear, and cannot move to opset {QdqOpset} ({problem}); re-export it at opset 13 or later.");
            return false;
        }

        work.PerChannelAllowed = false;
        work.Advise(DiagnosticCodes.OpsetTooOldPerTensorFallback,
            $"the model uses opset {opset} and cannot move to opset {QdqOpset} ({problem}), so weights get one scale per tensor instead of per " +
                $"channel (less accurate); re-export at opset 13 or later.");
        return true;
    }

    private static void Validate(QuantizationOptions options, Dataset? calibration, string file)
    {
        if (QuantizationModes.Of(options.Mode) is { Calibration: CalibrationUse.Required } mode && calibration is null)
        {
            throw new CompressBuildException(DiagnosticCodes.CalibrationDataRequired,
                $"{mode.Name} needs calibration data to choose activation ranges: give calibration data (calibration.data, a file or folder of a few hundred representative inputs).", file);
        }

        if (!(options.Percentile > 50 && options.Percentile <= 100))
        {
            throw new CompressBuildException(DiagnosticCodes.QuantizationOptionInvalid, $"percentile must be above 50 and at most 100, got {options.Percentile}.", file);
        }

        if (options.BlockSize < 16 || (options.BlockSize & (options.BlockSize - 1)) != 0)
        {
            throw new CompressBuildException(DiagnosticCodes.QuantizationOptionInvalid, $"block_size must be a power of two of at least 16 (32, 64, 128...), got {options.BlockSize}.", file);
        }

        if (options.Smooth is < 0 or > 1 || options.Smooth is double.NaN)
        {
            throw new CompressBuildException(DiagnosticCodes.QuantizationOptionInvalid, $"smooth (SmoothQuant's alpha) must be 0 to 1, got {options.Smooth}.", file);
        }

        if (options.AccuracyLevel is < 0 or > 4)
        {
            throw new CompressBuildException(DiagnosticCodes.QuantizationOptionInvalid, $"accuracy_level must be 0 to 4, got {options.AccuracyLevel}.", file);
        }
    }
}
