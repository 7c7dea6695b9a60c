using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;

namespace CompressBuild.Engine.Quantization;

/// <summary>
/// The quantization engine's entry point: prepares the model (Constant-node weights promoted, the opset raised
/// when the quantized form needs it and the model allows it), runs the pass of the chosen mode, and returns the
/// new model with every decision and advisory. The input model is never modified. A model the pass finds
/// nothing to quantize in comes back unchanged, with advisory CB4012.
/// </summary>
public static class ModelQuantizer
{
    public static QuantizationResult Quantize(OnnxModel model, QuantizationOptions options, Dataset? calibration = null) =>
        Quantize(model, options, calibration, null);

    /// <param name="histograms">Activation histograms to reuse and extend across runs on the same model and data.</param>
    internal static QuantizationResult Quantize(OnnxModel model, QuantizationOptions options, Dataset? calibration, IDictionary<string, Calibration.ActivationHistogram>? histograms)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options, calibration, model.DisplayName);
        var opsetBefore = model.OpsetVersion("");
        var work = new QuantizationWork(new OnnxModel(model.Proto.Clone(), model.BaseDirectory, model.SourcePath), options) { Histograms = histograms };
        ConstantPromotion.Promote(work.Graph);
        NameNodes(work.Graph);

        switch (options.Mode)
        {
            case QuantizationMode.Int8Static:
                if (PrepareOpset(work, opsetBefore))
                {
                    QdqQuantizer.Apply(work, calibration!, options);
                }

                break;
            case QuantizationMode.Int8Dynamic:
                DynamicQuantizer.Apply(work, options);
                break;
            case QuantizationMode.Fp16:
                Fp16Converter.Apply(work, options);
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
            work.Advise(DiagnosticCodes.NothingToQuantize, $"nothing to quantize for {ModeName(options.Mode)} (no supported node with constant float weights was found or left after exclusions); the model is written unchanged.");
            return new QuantizationResult(model, options.Mode, opsetBefore, opsetBefore, nodes, work.Advisories, 0);
        }

        return new QuantizationResult(work.Model, options.Mode, opsetBefore, work.Model.OpsetVersion(""), nodes, work.Advisories, calibration?.Count ?? 0)
        {
            CalibrationMilliseconds = work.CalibrationMilliseconds,
        };
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

    public static string ModeName(QuantizationMode mode) => mode switch
    {
        QuantizationMode.Int8Static => "int8-static",
        QuantizationMode.Int8Dynamic => "int8-dynamic",
        QuantizationMode.Fp16 => "fp16",
        QuantizationMode.Int4Weight => "int4-weight",
        QuantizationMode.Int8Weight => "int8-weight",
        _ => mode.ToString(),
    };

    /// <summary>Per-channel QDQ needs opset 13: raise to it when safe, else stay and use per-tensor scales (opset 10+).</summary>
    private static bool PrepareOpset(QuantizationWork work, long opset)
    {
        if (opset >= OpsetUpgrade.Target)
        {
            return true;
        }

        var blockers = OpsetUpgrade.Blockers(work.Proto, opset);
        if (blockers.Count == 0)
        {
            OpsetUpgrade.Raise(work.Proto);
            return true;
        }

        if (opset < 10)
        {
            work.Advise(DiagnosticCodes.OpsetTooOldPerTensorFallback,
                $"the model uses opset {opset}, which has no QuantizeLinear, and cannot move to opset {OpsetUpgrade.Target} because of {string.Join(", ", blockers)}; re-export it at opset 13 or later.");
            return false;
        }

        work.PerChannelAllowed = false;
        work.Advise(DiagnosticCodes.OpsetTooOldPerTensorFallback,
            $"the model uses opset {opset} and cannot move to opset {OpsetUpgrade.Target} because of {string.Join(", ", blockers)}, so weights get one scale per tensor instead of per channel (less accurate); re-export at opset 13 or later.");
        return true;
    }

    private static void Validate(QuantizationOptions options, Dataset? calibration, string file)
    {
        if (options.Mode == QuantizationMode.Int8Static && calibration is null)
        {
            throw new CompressBuildException(DiagnosticCodes.CalibrationDataRequired,
                "int8-static needs calibration data to choose activation ranges: pass --calibration-data <file|dir> (a few hundred representative inputs).", file);
        }

        if (options.Percentile is <= 50 or > 100)
        {
            throw new CompressBuildException(DiagnosticCodes.QuantizationOptionInvalid, $"--percentile must be above 50 and at most 100, got {options.Percentile}.", file);
        }

        if (options.BlockSize < 16 || (options.BlockSize & (options.BlockSize - 1)) != 0)
        {
            throw new CompressBuildException(DiagnosticCodes.QuantizationOptionInvalid, $"--block-size must be a power of two of at least 16 (32, 64, 128...), got {options.BlockSize}.", file);
        }

        if (options.AccuracyLevel is < 0 or > 4)
        {
            throw new CompressBuildException(DiagnosticCodes.QuantizationOptionInvalid, $"--accuracy-level must be 0 to 4, got {options.AccuracyLevel}.", file);
        }
    }
}
