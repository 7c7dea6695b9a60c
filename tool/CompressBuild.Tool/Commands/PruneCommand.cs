using System.CommandLine;
using System.Globalization;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Runtime;
using CompressBuild.Tool.Rendering;

namespace CompressBuild.Tool.Commands;

/// <summary><c>dotnet compress prune</c>: magnitude, N:M, block or structured channel pruning of an ONNX model.</summary>
internal static class PruneCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "The .onnx model file." };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the pruned model.", Required = true };
        var method = new Option<string>("--method") { Description = "magnitude | nm | block | channel.", DefaultValueFactory = _ => "magnitude" };
        var sparsity = new Option<double?>("--sparsity") { Description = "Fraction to remove, in [0, 1): of weights (magnitude, block) or of each channel group (channel). Default 0.5." };
        var scope = new Option<string>("--scope") { Description = "magnitude: global (one ranking across layers) | layer (the same sparsity in each).", DefaultValueFactory = _ => "global" };
        var allocation = new Option<string?>("--allocation")
        {
            Description = "magnitude, global: uniform | lamp (layer-adaptive, never empties a layer); channel: uniform | distortion (each group's ratio from its measured output distortion; the default with --calibration-data).",
        };
        var pattern = new Option<string?>("--pattern") { Description = "nm: N:M, e.g. 2:4 (default), 1:4, 4:8." };
        var block = new Option<string?>("--block") { Description = "block: RxC (outputs x reduction), e.g. 4x4 (default), 8x1, 1x8." };
        var importance = new Option<string>("--importance") { Description = "channel: l1 | l2 | bn-scale | activation (needs --calibration-data).", DefaultValueFactory = _ => "l2" };
        var roundTo = new Option<int>("--round-to") { Description = "channel: keep channel counts multiples of N.", DefaultValueFactory = _ => 1 };
        var calibration = new Option<string?>("--calibration-data") { Description = "Samples for --importance activation and --reconstruct (.npy, .npz, folder, test_data_set_N)." };
        var reconstruct = new Option<bool?>("--reconstruct")
        {
            Description = "Re-solve the remaining weights on the calibration data: least squares for the next layer after channel removal, SparseGPT (OBS masks and updates) for magnitude and nm. On by default with --calibration-data; --reconstruct false gives plain pruning.",
        };
        var calibrationSamples = new Option<int>("--calibration-samples") { Description = "At most this many calibration samples.", DefaultValueFactory = _ => 128 };
        var excludeNodes = new Option<string[]>("--exclude-nodes") { Description = "Node names (or first-output names) to leave alone; repeatable or comma-separated.", Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = true };
        var excludeOps = new Option<string[]>("--exclude-op-types") { Description = "Op types to leave alone, e.g. MatMul; repeatable or comma-separated.", Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = true };
        var data = new Option<string?>("--data") { Description = "Test inputs: compare the pruned model with the original on them." };
        var labels = new Option<string?>("--labels") { Description = "With --data: class labels (.npy or text) for top-1/top-5 accuracy before and after." };
        var json = new Option<bool>("--json") { Description = "Write the result as JSON to stdout." };
        var command = new Command("prune", "Prune a model: unstructured magnitude, N:M, block sparsity, or structured channel pruning that shrinks the graph.")
        {
            model, output, method, sparsity, scope, allocation, pattern, block, importance, roundTo, calibration, reconstruct, calibrationSamples, excludeNodes, excludeOps, data, labels, json,
        };
        command.SetAction(parse =>
        {
            var settings = new PruneSettings
            {
                Method = Choose(parse.GetValue(method)!, "--method", ("magnitude", PruneMethod.Magnitude), ("nm", PruneMethod.NM), ("block", PruneMethod.Block), ("channel", PruneMethod.Channel)),
                Sparsity = parse.GetValue(sparsity),
                Scope = Choose(parse.GetValue(scope)!, "--scope", ("global", SparsityScope.Global), ("layer", SparsityScope.Layer)),
                Allocation = parse.GetValue(allocation) is { } a
                    ? Choose(a, "--allocation", ("uniform", SparsityAllocation.Uniform), ("lamp", SparsityAllocation.Lamp), ("distortion", SparsityAllocation.Distortion))
                    : null,
                Pattern = parse.GetValue(pattern) is { } p ? NmPattern.Parse(p) : null,
                Block = parse.GetValue(block) is { } b ? BlockShape.Parse(b) : null,
                Importance = Choose(parse.GetValue(importance)!, "--importance",
                    ("l1", ChannelImportance.L1), ("l2", ChannelImportance.L2), ("bn-scale", ChannelImportance.BnScale), ("activation", ChannelImportance.Activation)),
                RoundTo = parse.GetValue(roundTo),
                CalibrationData = parse.GetValue(calibration),
                CalibrationSamples = parse.GetValue(calibrationSamples),
                Reconstruct = parse.GetValue(reconstruct),
                ExcludeNodes = SplitList(parse.GetValue(excludeNodes)),
                ExcludeOpTypes = SplitList(parse.GetValue(excludeOps)),
            };
            if (parse.GetValue(labels) is not null && parse.GetValue(data) is null)
            {
                throw new CompressBuildException(DiagnosticCodes.PruneOptionConflict, "--labels goes with --data.");
            }

            return Run(context, new PruneOptions(parse.GetRequiredValue(model), parse.GetRequiredValue(output), settings, parse.GetValue(data), parse.GetValue(labels), parse.GetValue(json)));
        });
        return command;
    }

    public static int Run(CliContext context, PruneOptions options)
    {
        options.Settings.Validate();
        var original = OnnxModelReader.Load(options.Model);
        OutputGuard.Check(options.Output, [.. ModelFiles.ReadBy(original), options.Data, options.Labels, options.Settings.CalibrationData]);
        var pruned = ModelPruner.Run(original, options.Settings);
        var comparison = options.Data is { } data ? Compare(original, pruned.Model, data, options.Labels) : null;
        OnnxModelWriter.Save(pruned.Model, options.Output, new ModelSaveOptions { Reads = [.. ModelFiles.ReadBy(original)] });

        foreach (var advisory in pruned.Advisories)
        {
            context.Error.WriteLine($"{options.Model}: warning {advisory.Code}: {advisory.Message}");
        }

        var result = new PruneCommandResult(options.Model, options.Output, Name(pruned.Method), pruned.RequestedSparsity, pruned.MeasuredSparsity,
            pruned.ParametersBefore, pruned.ParametersAfter, pruned.NonZeroBefore, pruned.NonZeroAfter, pruned.ZipBytesBefore, pruned.ZipBytesAfter,
            pruned.Layers, pruned.ChannelGroups, comparison, pruned.Advisories);
        if (options.Json)
        {
            JsonOutput.Write(context.Out, result);
            return ExitCodes.Ok;
        }

        Render(context.Out, result, options.Settings);
        if (pruned.Reconstruction is { Layers: > 0 } r)
        {
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Reconstruct {r.Layers} layer(s) re-solved on {r.Samples} calibration samples in {r.Passes} pass(es): capture {r.Capture.TotalSeconds:F1} s, solves {r.Solve.TotalSeconds:F1} s"));
        }

        return ExitCodes.Ok;
    }

    private static ComparisonResult Compare(OnnxModel original, OnnxModel pruned, string dataPath, string? labelsPath)
    {
        using var reference = ModelSessions.Open(original);
        using var candidate = ModelSessions.Open(pruned);
        var dataset = DatasetLoader.OpenNonEmpty(dataPath, reference.Inputs);
        long[]? labels = null;
        if (labelsPath is not null)
        {
            labels = Labels.Load(labelsPath);
            Labels.CheckCount(labels, dataset.Count, labelsPath, dataPath);
        }

        return ModelComparison.Run(reference, candidate, dataset, labels);
    }

    private static void Render(TextWriter o, PruneCommandResult result, PruneSettings settings)
    {
        var how = settings.Method switch
        {
            PruneMethod.NM => $"nm {settings.Pattern ?? NmPattern.TwoFour}",
            PruneMethod.Block => $"block {settings.Block ?? new BlockShape(4, 4)}, sparsity {Units.Percent(result.RequestedSparsity)} per layer",
            PruneMethod.Channel => settings.AllocationEffective == SparsityAllocation.Distortion
                ? $"channel, {Units.Percent(result.RequestedSparsity)} of the multiply-adds, each group's share from its measured output distortion, importance {Name(settings.Importance)}, round-to {settings.RoundTo}"
                : $"channel, {Units.Percent(result.RequestedSparsity)} of each group, importance {Name(settings.Importance)}, round-to {settings.RoundTo}",
            _ => $"magnitude, sparsity {Units.Percent(result.RequestedSparsity)}, scope {Name(settings.Scope)}{(settings.Allocation == SparsityAllocation.Lamp ? ", lamp" : "")}",
        };
        o.WriteLine($"Model       {result.Model} -> {result.Output}");
        o.WriteLine($"Method      {how}");
        if (result.Layers.Count > 0)
        {
            var table = new TextTable("layer", "op", "weight", "shape before", "shape after", "params before", "params after", "non-zero after", "sparsity");
            foreach (var l in result.Layers)
            {
                table.Add(l.Node, l.OpType, l.Weight, TensorShape.Format(l.ShapeBefore), TensorShape.Format(l.ShapeAfter), Units.Count(l.ParametersBefore), Units.Count(l.ParametersAfter),
                    Units.Count(l.ParametersAfter - l.ZerosAfter), Units.Percent(l.Sparsity));
            }

            table.WriteTo(o);
        }

        if (result.ChannelGroups.Count > 0)
        {
            o.WriteLine("Channel groups");
            var groups = new TextTable("producers", "channels", "kept", "note");
            foreach (var g in result.ChannelGroups)
            {
                groups.Add(string.Join(" + ", g.Members), g.ChannelsBefore, g.ChannelsAfter, g.Protected ?? "");
            }

            groups.WriteTo(o);
        }

        o.WriteLine($"Parameters  {Units.Count(result.ParametersBefore)} -> {Units.Count(result.ParametersAfter)}; non-zero {Units.Count(result.NonZeroBefore)} -> {Units.Count(result.NonZeroAfter)}; measured sparsity {Units.Percent(result.MeasuredSparsity)} of the pruned layers");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Zip size    {Units.Bytes(result.ZipBytesBefore)} -> {Units.Bytes(result.ZipBytesAfter)} ({(double)result.ZipBytesBefore / Math.Max(1, result.ZipBytesAfter):0.00}x smaller)"));
        if (result.Comparison is { } comparison)
        {
            foreach (var output in comparison.Outputs)
            {
                var accuracy = output.Accuracy is { } a
                    ? string.Create(CultureInfo.InvariantCulture, $", top-1 {Units.Percent(a.ReferenceTop1)} -> {Units.Percent(a.CandidateTop1)}, top-{a.K} {Units.Percent(a.ReferenceTopK)} -> {Units.Percent(a.CandidateTopK)}")
                    : "";
                var agreement = output.Top1Agreement is { } t ? $", top-1 agreement {Units.Percent(t)}" : "";
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Compared    {output.Name} on {comparison.Samples} samples: cosine {output.Cosine:0.0000}{agreement}{accuracy}"));
            }
        }
    }

    private static T Choose<T>(string value, string option, params (string Name, T Value)[] choices)
    {
        foreach (var (name, choice) in choices)
        {
            if (string.Equals(name, value, StringComparison.OrdinalIgnoreCase))
            {
                return choice;
            }
        }

        throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, $"{option} '{value}' is not one of {string.Join(", ", choices.Select(c => c.Name))}.");
    }

    private static string[] SplitList(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();

    private static string Name<T>(T value)
        where T : struct, Enum => value.ToString() switch
        {
            "BnScale" => "bn-scale",
            "NM" => "nm",
            var s => s.ToLowerInvariant(),
        };
}
