using System.CommandLine;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Preprocessing;
using CompressBuild.Tool.Rendering;

namespace CompressBuild.Tool.Commands;

/// <summary>
/// <c>dotnet compress convert</c>: a lossless rewrite that moves weights to external data or back inline, and
/// with <c>--opset N</c> raises the model's opset (every op whose meaning changed rewritten to keep it).
/// </summary>
internal static class ConvertCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "The .onnx model file." };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the converted model.", Required = true };
        var external = new Option<bool>("--external-data") { Description = "Move tensors at or above --size-threshold to one data file beside the output (<output>.data)." };
        var perTensor = new Option<bool>("--per-tensor") { Description = "With --external-data: one file per tensor instead of a single data file." };
        var threshold = new Option<long>("--size-threshold") { Description = "Smallest tensor, in bytes, moved to external data.", DefaultValueFactory = _ => ModelSaveOptions.Default.SizeThreshold };
        var inline = new Option<bool>("--inline") { Description = "Bring every tensor back inside the model file." };
        var opset = new Option<int?>("--opset")
        {
            Description = $"Raise the model's default-domain opset to N (7 to {OpsetConverter.MaxTarget}; 13 for per-channel QDQ, 21 for blocked int4), " +
                $"rewriting the ops whose meaning changed.",
        };
        var json = new Option<bool>("--json") { Description = "Write the result as JSON to stdout." };
        var command = new Command("convert", "Rewrite a model: keep its layout, move weights to external data, or bring them back inline " +
            "(losslessly), or raise its opset with --opset. Models over 2 GiB always get external data.")
        {
            model, output, external, perTensor, threshold, inline, opset, json,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(external) && parse.GetValue(inline))
            {
                throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, "--external-data and --inline contradict each other; pass one.");
            }

            if (parse.GetValue(perTensor) && !parse.GetValue(external))
            {
                throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, "--per-tensor goes with --external-data.");
            }

            var layout = parse.GetValue(inline) ? ExternalDataLayout.Inline
                : !parse.GetValue(external) ? ExternalDataLayout.Keep
                : parse.GetValue(perTensor) ? ExternalDataLayout.PerTensor : ExternalDataLayout.SingleFile;
            return Run(context, new ConvertOptions(parse.GetRequiredValue(model), parse.GetRequiredValue(output), layout, parse.GetValue(threshold),
                parse.GetValue(json)) { Opset = parse.GetValue(opset) });
        });
        return command;
    }

    public static int Run(CliContext context, ConvertOptions options)
    {
        var model = OnnxModelReader.Load(options.Model);
        var reads = ModelFiles.ReadBy(model);
        OutputGuard.Check(options.Output, reads);
        OpsetConversionResult? conversion = null;
        if (options.Opset is { } target)
        {
            // Converted and checked in memory first: a model that cannot be converted leaves no file behind.
            conversion = OpsetConverter.Convert(model, target);
            OpsetConverter.EnsureRuntimeAccepts(model, conversion);
            model = conversion.Model;
        }

        var result = OnnxModelWriter.Save(model, options.Output, new ModelSaveOptions { Layout = options.Layout, SizeThreshold = options.SizeThreshold, Reads = reads });
        if (result.ExternalDataForcedBySize)
        {
            context.Error.WriteLine($"{options.Output}: warning {DiagnosticCodes.ExternalDataForcedBySize}: the model is too large for one protobuf " +
                $"file (2 GiB limit), so its weights were written to external data.");
        }

        if (options.Json)
        {
            JsonOutput.Write<object>(context.Out, conversion is null ? result : new ConvertResult(result, conversion.FromOpset, conversion.ToOpset, conversion.AdaptedNodes));
            return ExitCodes.Ok;
        }

        if (conversion is not null)
        {
            var adapted = conversion.AdaptedNodes.Count == 0 ? "no node needed rewriting" : string.Join(", ", conversion.AdaptedNodes.Select(kv => $"{kv.Key} {kv.Value}")) + " rewritten";
            context.Out.WriteLine(conversion.Changed ? $"Opset {conversion.FromOpset} -> {conversion.ToOpset}: {adapted}." : $"Opset {conversion.FromOpset} already; nothing to convert.");
        }

        var data = result.DataFiles.Count == 0
            ? "all tensors inline"
            : $"{result.ExternalTensors} tensor(s) in {string.Join(", ", result.DataFiles)} ({Units.Bytes(result.DataBytes)})";
        context.Out.WriteLine($"Wrote {options.Output} ({Units.Bytes(result.ModelBytes)}), {data}.");
        return ExitCodes.Ok;
    }
}
