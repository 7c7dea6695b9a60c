using System.CommandLine;
using System.Globalization;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Engine.Runtime;
using CompressBuild.Tool.Rendering;

namespace CompressBuild.Tool.Commands;

/// <summary><c>dotnet compress quantize</c>: int8 (static QDQ or dynamic), int4/int8 weight-only, or fp16.</summary>
internal static class QuantizeCommand
{
    /// <summary>The quantize settings as options: the schema's keys, under the names the command has always used.</summary>
    internal static PassOptionSet Settings() => new(
        PassRegistry.Quantize,
        names: new Dictionary<string, string> { ["calibration.percentile"] = "--percentile" },
        inverted: new Dictionary<string, string> { ["preprocess"] = "--no-preprocess", ["latency_placement"] = "--no-latency-placement" },
        defaults: new Dictionary<string, string> { ["mode"] = QuantizationModes.Int8Dynamic.Name });

    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "The float32 .onnx model." };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the quantized model.", Required = true };
        var settings = Settings();
        var json = new Option<bool>("--json") { Description = "Write the result as JSON to stdout." };
        var command = new Command("quantize", $"Quantize a model: {QuantizationModes.All.Describe()} (see --mode).") { model, output };
        foreach (var option in settings.Options)
        {
            command.Options.Add(option);
        }

        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var plan = settings.Plan(parse);
            var request = QuantizeBinding.Bind(plan);
            foreach (var ignored in QuantizeBinding.Ignored(plan))
            {
                context.Error.WriteLine($"{parse.GetRequiredValue(model)}: warning {ignored.Code}: {ignored.Message}");
            }

            return Run(context, new QuantizeOptions(parse.GetRequiredValue(model), parse.GetRequiredValue(output), request.CalibrationData, request.CalibrationSamples,
                request.Options, request.TargetCosine, request.KeepFloatTop, parse.GetValue(json)));
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
        var mode = QuantizationModes.NameOf(result.Mode);
        var calibrationText = calibration is null || result.Mode != QuantizationMode.Int8Static
            ? null
            : $"{CalibrationMethods.NameOf(result.RoundingChoice?.Chosen.Calibration ?? options.Engine.Calibration)} on {calibration.Count} sample(s) of {calibration.Source}";
        var summary = new QuantizeResult(options.Model, options.Output, mode, calibrationText, result.CalibrationSamples, result.OpsetBefore, result.OpsetAfter,
            before, after, after == 0 ? 0 : (double)before / after, byOp, result.Nodes, result.Advisories, mixed?.Layers, mixed?.Cosine, result.Preprocessing, result.FusionRewrites, result.Fusion)
        {
            ScaleConstraint = result.Mode == QuantizationMode.Int8Static ? ScaleConstraints.NameOf(options.Engine.ScaleConstraint) : null,
            Rounding = result.Mode != QuantizationMode.Int8Static ? null
                : WeightRoundings.NameOf(result.RoundingChoice?.Chosen.Rounding ?? WeightRoundings.Resolve(options.Engine.Rounding, calibration)),
            RoundingChoice = result.RoundingChoice,
            TailRanges = result.TailRanges,
            ActivationSensitivity = mixed is { Activations.Count: > 0 } ? mixed.Activations : null,
            ActivationSpeedup = mixed?.ActivationSpeedup,
            ActivationSignal = mixed is { Activations.Count: > 0 } ? mixed.ActivationSignal : null,
        };
        if (options.Json)
        {
            JsonOutput.Write(context.Out, summary);
            return ExitCodes.Ok;
        }

        var o = context.Out;
        o.WriteLine($"Model       {options.Model} (opset {result.OpsetBefore})");
        var scales = summary.ScaleConstraint is null ? "" : $", scales: {summary.ScaleConstraint}";
        var rounding = summary.Rounding is null or "nearest" ? "" : $", rounding: {summary.Rounding}";
        o.WriteLine($"Mode        {mode}{(calibrationText is null ? "" : $", calibration: {calibrationText}")}{scales}{rounding}");
        if (result.RoundingChoice is { } choice)
        {
            o.WriteLine($"Rounding    {choice.Summary}");
        }

        if (result.TailRanges is { } tails)
        {
            o.WriteLine($"Ranges      {tails.Summary}");
        }

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
        foreach (var skipped in result.Nodes.Where(n => !n.Quantized
            && (n.OpType is "Conv" or "Gemm" or "MatMul"
                || n.Detail.StartsWith("excluded by ", StringComparison.Ordinal)
                || n.Detail.StartsWith("kept float by ", StringComparison.Ordinal))))
        {
            o.WriteLine($"  float: {skipped.OpType} '{skipped.Node}': {skipped.Detail}");
        }

        if (mixed is not null && mixed.Layers.Count > 0)
        {
            var hessian = mixed.Ranking?.Method is Engine.Quantization.Mixed.SensitivityMethod.Hessian or Engine.Quantization.Mixed.SensitivityMethod.HessianNoise;
            var measure = mixed.Ranking?.Method switch
            {
                Engine.Quantization.Mixed.SensitivityMethod.Hessian => "HAWQ-V3 trace(H) x ||W - Q(W)||^2 / n from the calibration Gram matrices",
                Engine.Quantization.Mixed.SensitivityMethod.HessianNoise => "output noise over signal, trace(dW G dW^T) / trace(W G W^T), from the calibration Gram matrices",
                _ => "output cosine with only that layer quantized, on the calibration data",
            };
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Sensitivity ({measure}; final model {mixed.Cosine:F6})"));
            var table = new TextTable("layer", "op type", hessian ? "hessian" : "cosine", "kept float");
            foreach (var layer in mixed.Layers)
            {
                var score = hessian ? layer.Hessian?.ToString("G4", CultureInfo.InvariantCulture) : layer.Cosine?.ToString("F6", CultureInfo.InvariantCulture);
                table.Add(layer.Node, layer.OpType, score ?? "-", layer.KeptFloat ? "yes" : "");
            }

            table.WriteTo(o);
        }

        if (mixed is { Activations.Count: > 0 })
        {
            var kept = mixed.Activations.Where(a => a.KeptFloat).ToList();
            var speed = mixed.ActivationSpeedup is { } s ? string.Create(CultureInfo.InvariantCulture, $", {s.Ratio:0.00}x fp32's speed [{s.Low:0.00}, {s.High:0.00}], 1 thread") : "";
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Activations {kept.Count} of {mixed.Activations.Count} Q/DQ pairs left float, weights int8 (final model cosine {mixed.Cosine:F6}{speed})"));
            var table = new TextTable("activation", "producer -> readers", $"{mixed.ActivationSignal} gained alone", "left float");
            foreach (var pair in mixed.Activations.Take(Math.Max(kept.Count, 5)))
            {
                table.Add(pair.Tensor, $"{pair.Producer} -> {pair.Readers}", pair.Gain.ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture), pair.KeptFloat ? "yes" : "");
            }

            table.WriteTo(o);
        }

        foreach (var line in result.FusionRewrites)
        {
            o.WriteLine($"Rewrote     {line}");
        }

        if (result.Fusion is { } fusion)
        {
            FusionText.Write(o, fusion);
        }

        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Size        {Units.Bytes(before)} -> {Units.Bytes(after)} ({summary.SizeRatio:0.00}x smaller)"));
        o.WriteLine($"Wrote       {options.Output}");
        return ExitCodes.Ok;
    }
}
