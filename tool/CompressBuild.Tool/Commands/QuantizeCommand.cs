using System.CommandLine;
using System.Globalization;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Runtime;
using CompressBuild.Tool.Rendering;

namespace CompressBuild.Tool.Commands;

/// <summary><c>dotnet compress quantize</c>: int8 (static QDQ or dynamic), int4/int8 weight-only, or fp16.</summary>
internal static class QuantizeCommand
{
    public static Command Create(CliContext context)
    {
        var defaults = new QuantizationOptions();
        var model = new Argument<string>("model") { Description = "The float32 .onnx model." };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the quantized model.", Required = true };
        var mode = new Option<string>("--mode") { Description = "int8-static | int8-dynamic | int4-weight | int8-weight | fp16.", DefaultValueFactory = _ => "int8-dynamic" };
        var data = new Option<string?>("--calibration-data") { Description = "int8-static, GPTQ for int4-weight/int8-weight, mixed precision: calibration inputs (.npy stacked on the first axis, .npz, a folder of <input>.npy, or test_data_set_N folders)." };
        var method = new Option<string>("--calibration-method") { Description = "minmax | percentile | entropy | mse.", DefaultValueFactory = _ => "percentile" };
        var percentile = new Option<double>("--percentile") { Description = "With --calibration-method percentile: share of |values| kept, in percent.", DefaultValueFactory = _ => defaults.Percentile };
        var samples = new Option<int>("--calibration-samples") { Description = "Use at most this many calibration samples (0 = all).", DefaultValueFactory = _ => 0 };
        var perTensor = new Option<bool>("--per-tensor") { Description = "One weight scale per tensor instead of per output channel." };
        var activationType = new Option<string>("--activation-type") { Description = "u8 | s8.", DefaultValueFactory = _ => "u8" };
        var weightType = new Option<string>("--weight-type") { Description = "s8 | u8.", DefaultValueFactory = _ => "s8" };
        var activationSymmetric = new Option<bool>("--activation-symmetric") { Description = "Symmetric activation ranges (default asymmetric)." };
        var weightAsymmetric = new Option<bool>("--weight-asymmetric") { Description = "Asymmetric weight ranges with a zero point (default symmetric)." };
        var gptq = new Option<bool?>("--gptq") { Description = "int4-weight/int8-weight: GPTQ on the calibration data (act-order, error pushed onto later columns) instead of round-to-nearest; on by default with --calibration-data." };
        var blockSize = new Option<int>("--block-size") { Description = "int4-weight/int8-weight: weights per scale along K (32, 64, 128...).", DefaultValueFactory = _ => defaults.BlockSize };
        var blockAsymmetric = new Option<bool>("--asymmetric") { Description = "int4-weight/int8-weight: store a zero point per block." };
        var accuracyLevel = new Option<int>("--accuracy-level") { Description = "int4-weight/int8-weight: MatMulNBits accuracy_level (0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8 compute: the fast CPU path).", DefaultValueFactory = _ => defaults.AccuracyLevel };
        var excludeNodes = new Option<string[]>("--exclude-nodes") { Description = "Node names to keep float (repeatable, or comma-separated).", Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = true };
        var excludeOps = new Option<string[]>("--exclude-op-types") { Description = "Op types to keep float (repeatable, or comma-separated).", Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = true };
        var keepFloat = new Option<string[]>("--keep-float") { Description = "first | last: keep the first and/or last weighted layer float (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var fp16Block = new Option<string[]>("--fp16-block-list") { Description = "fp16: op types that stay float32 (replaces the default list).", Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = true };
        var fp16Io = new Option<bool>("--fp16-io") { Description = "fp16: make model inputs and outputs float16 too (default: they keep float32)." };
        var targetCosine = new Option<double?>("--target-cosine") { Description = "Mixed precision: keep the most sensitive layers float until the output cosine on the calibration data reaches this (e.g. 0.999)." };
        var keepFloatTop = new Option<int?>("--keep-float-top") { Description = "Mixed precision: keep the K most sensitive layers float." };
        var biasCorrection = new Option<bool>("--bias-correction") { Description = "int8-static: correct each output channel's mean shift from quantization, measured on the calibration data (changes biases only)." };
        var noLatencyAware = new Option<bool>("--no-latency-aware") { Description = "int8-static: quantize every supported node even where its int8 kernel runs slower than float on this machine (by default those stay float)." };
        var noPreprocess = new Option<bool>("--no-preprocess") { Description = "Skip pre-processing (constant and BatchNormalization folding, Identity/Dropout removal, shape inference); the opset is still raised when the mode needs it." };
        var json = new Option<bool>("--json") { Description = "Write the result as JSON to stdout." };
        var command = new Command("quantize", "Quantize a model: int8-static (QDQ, calibrated), int8-dynamic, int4/int8 weight-only (MatMulNBits) or fp16.")
        {
            model, output, mode, data, method, percentile, samples, perTensor, activationType, weightType, activationSymmetric, weightAsymmetric,
            blockSize, gptq, blockAsymmetric, accuracyLevel, excludeNodes, excludeOps, keepFloat, fp16Block, fp16Io, targetCosine, keepFloatTop, biasCorrection, noPreprocess, noLatencyAware, json,
        };
        command.SetAction(parse =>
        {
            var blockList = List(parse.GetValue(fp16Block));
            var engine = new QuantizationOptions
            {
                Mode = ParseMode(parse.GetValue(mode)!),
                Calibration = ParseMethod(parse.GetValue(method)!),
                Percentile = parse.GetValue(percentile),
                PerChannel = !parse.GetValue(perTensor),
                ActivationType = ParseType(parse.GetValue(activationType)!, "--activation-type"),
                WeightType = ParseType(parse.GetValue(weightType)!, "--weight-type"),
                ActivationSymmetric = parse.GetValue(activationSymmetric),
                WeightSymmetric = !parse.GetValue(weightAsymmetric),
                BlockSize = parse.GetValue(blockSize),
                Gptq = parse.GetValue(gptq),
                BlockSymmetric = !parse.GetValue(blockAsymmetric),
                AccuracyLevel = parse.GetValue(accuracyLevel),
                ExcludeNodes = List(parse.GetValue(excludeNodes)),
                ExcludeOpTypes = List(parse.GetValue(excludeOps)),
                KeepFloat = ParseKeepFloat(parse.GetValue(keepFloat) ?? []),
                Fp16BlockList = blockList.Count > 0 ? blockList : QuantizationOptions.DefaultFp16BlockList,
                KeepIoTypes = !parse.GetValue(fp16Io),
                BiasCorrection = parse.GetValue(biasCorrection),
                Preprocess = !parse.GetValue(noPreprocess),
                LatencyAware = !parse.GetValue(noLatencyAware),
            };
            var count = parse.GetValue(samples);
            if (count < 0)
            {
                throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, $"--calibration-samples must be 0 or more, got {count}.");
            }

            return Run(context, new QuantizeOptions(parse.GetRequiredValue(model), parse.GetRequiredValue(output), parse.GetValue(data), count, engine, parse.GetValue(targetCosine), parse.GetValue(keepFloatTop), parse.GetValue(json)));
        });
        return command;
    }

    public static int Run(CliContext context, QuantizeOptions options)
    {
        var model = OnnxModelReader.Load(options.Model);
        OutputGuard.Check(options.Output, [.. ModelFiles.ReadBy(model), options.CalibrationData]);
        var pass = QuantizationPass.Run(model, new QuantizationRequest(options.Engine, options.CalibrationData, options.CalibrationSamples, options.TargetCosine, options.KeepFloatTop));
        var (result, mixed, calibration) = (pass.Result, pass.Mixed, pass.Calibration);
        var saved = OnnxModelWriter.Save(result.Model, options.Output, ModelSaveOptions.Default with { Reads = [.. ModelFiles.ReadBy(model)] });
        foreach (var advisory in result.Advisories)
        {
            context.Error.WriteLine($"{options.Model}: warning {advisory.Code}: {advisory.Message}");
        }

        var before = new FileInfo(options.Model).Length + ModelTensors.All(model.Proto).Where(ExternalDataReference.IsExternal).Sum(TensorData.RawByteCount);
        var after = saved.ModelBytes + saved.DataBytes;
        var byOp = result.Nodes
            .GroupBy(n => n.OpType, StringComparer.Ordinal)
            .Select(g => new QuantizeOpTypeSummary(g.Key, g.Count(n => n.Quantized), g.Count(n => !n.Quantized)))
            .OrderBy(s => s.OpType, StringComparer.Ordinal)
            .ToList();
        var mode = ModelQuantizer.ModeName(result.Mode);
        var calibrationText = calibration is null || result.Mode != QuantizationMode.Int8Static
            ? null
            : $"{MethodName(options.Engine.Calibration)} on {calibration.Count} sample(s) of {calibration.Source}";
        var summary = new QuantizeResult(options.Model, options.Output, mode, calibrationText, result.CalibrationSamples, result.OpsetBefore, result.OpsetAfter,
            before, after, after == 0 ? 0 : (double)before / after, byOp, result.Nodes, result.Advisories, mixed?.Layers, mixed?.Cosine, result.Preprocessing, result.FusionRewrites, result.Fusion);
        if (options.Json)
        {
            JsonOutput.Write(context.Out, summary);
            return ExitCodes.Ok;
        }

        var o = context.Out;
        o.WriteLine($"Model       {options.Model} (opset {result.OpsetBefore})");
        o.WriteLine($"Mode        {mode}{(calibrationText is null ? "" : $", calibration: {calibrationText}")}");
        if (result.OpsetAfter != result.OpsetBefore)
        {
            o.WriteLine($"Opset       raised {result.OpsetBefore} -> {result.OpsetAfter}");
        }

        if (result.Preprocessing is { } preprocessing)
        {
            o.WriteLine($"Prepared    {preprocessing.Describe()}");
        }

        if (byOp.Count > 0)
        {
            var table = new TextTable("op type", "quantized", "float");
            foreach (var op in byOp)
            {
                table.Add(op.OpType, op.Quantized, op.Float);
            }

            table.WriteTo(o);
        }

        // Every decision is in --json; the text names the layers that carry weights, and whatever the user excluded.
        foreach (var skipped in result.Nodes.Where(n => !n.Quantized && (n.OpType is "Conv" or "Gemm" or "MatMul" || n.Detail.Contains("--", StringComparison.Ordinal))))
        {
            o.WriteLine($"  float: {skipped.OpType} '{skipped.Node}': {skipped.Detail}");
        }

        if (mixed is not null && mixed.Layers.Count > 0)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Sensitivity (output cosine with only that layer quantized, on the calibration data; final model {mixed.Cosine:F6})"));
            var table = new TextTable("layer", "op type", "cosine", "kept float");
            foreach (var layer in mixed.Layers)
            {
                table.Add(layer.Node, layer.OpType, layer.Cosine.ToString("F6", CultureInfo.InvariantCulture), layer.KeptFloat ? "yes" : "");
            }

            table.WriteTo(o);
        }

        foreach (var line in result.FusionRewrites)
        {
            o.WriteLine($"Rewrote     {line}");
        }

        if (result.Fusion is { } fusion)
        {
            WriteFusion(o, fusion);
        }

        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Size        {Units.Bytes(before)} -> {Units.Bytes(after)} ({summary.SizeRatio:0.00}x smaller)"));
        o.WriteLine($"Wrote       {options.Output}");
        return ExitCodes.Ok;
    }

    /// <summary>ONNX Runtime's view: integer kernels per op type, float ops left between DQ and Q.</summary>
    private static void WriteFusion(TextWriter o, CompressBuild.Engine.Quantization.Fusion.FusionReport fusion)
    {
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Fusion      ONNX Runtime runs {fusion.IntegerTotal} integer kernel(s), {fusion.FloatTotal} float op(s) between DequantizeLinear and QuantizeLinear{(fusion.QuantizedConv > 0 ? $"; Conv fused {fusion.FusedConv}/{fusion.QuantizedConv} ({fusion.ConvFusedShare:P0})" : "")}"));
        var table = new TextTable("runs as", "op type", "nodes");
        foreach (var count in fusion.IntegerKernels)
        {
            table.Add("integer", count.OpType, count.Count);
        }

        foreach (var count in fusion.FloatBetweenQdq)
        {
            table.Add("float", count.OpType, count.Count);
        }

        table.WriteTo(o);
    }

    private static List<string> List(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

    private static QuantizationMode ParseMode(string value) => value.ToLowerInvariant() switch
    {
        "int8-static" => QuantizationMode.Int8Static,
        "int8-dynamic" => QuantizationMode.Int8Dynamic,
        "int4-weight" => QuantizationMode.Int4Weight,
        "int8-weight" => QuantizationMode.Int8Weight,
        "fp16" => QuantizationMode.Fp16,
        _ => throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, $"--mode '{value}' is not one of int8-static, int8-dynamic, int4-weight, int8-weight, fp16."),
    };

    private static CalibrationMethod ParseMethod(string value) => value.ToLowerInvariant() switch
    {
        "minmax" => CalibrationMethod.MinMax,
        "percentile" => CalibrationMethod.Percentile,
        "entropy" => CalibrationMethod.Entropy,
        "mse" => CalibrationMethod.Mse,
        _ => throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, $"--calibration-method '{value}' is not one of minmax, percentile, entropy, mse."),
    };

    private static string MethodName(CalibrationMethod method) => method.ToString().ToLowerInvariant();

    private static QuantType ParseType(string value, string option) => value.ToLowerInvariant() switch
    {
        "u8" or "uint8" => QuantType.U8,
        "s8" or "int8" => QuantType.S8,
        _ => throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, $"{option} '{value}' is not u8 or s8."),
    };

    private static KeepFloat ParseKeepFloat(IEnumerable<string> values)
    {
        var result = KeepFloat.None;
        foreach (var value in List(values.ToArray()))
        {
            result |= value.ToLowerInvariant() switch
            {
                "first" => KeepFloat.First,
                "last" => KeepFloat.Last,
                _ => throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, $"--keep-float '{value}' is not first or last."),
            };
        }

        return result;
    }
}
