using System.CommandLine;
using System.Globalization;
using CompressBuild.Engine.Choices;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Runtime;
using CompressBuild.Tool.Rendering;

namespace CompressBuild.Tool.Commands;

/// <summary><c>dotnet compress prune</c>: magnitude, N:M, block or structured channel pruning of an ONNX model.</summary>
internal static class PruneCommand
{
    /// <summary>The prune settings as options: the schema's keys (calibration method and percentile are quantization's).</summary>
    internal static PassOptionSet Settings() => new(PassRegistry.Prune, skip: new HashSet<string> { "calibration.method", "calibration.percentile" },
        defaults: new Dictionary<string, string> { ["method"] = PruneMethods.Magnitude.Name });

    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "The .onnx model file." };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the pruned model.", Required = true };
        var settings = Settings();
        var data = new Option<string?>("--data") { Description = "Test inputs: compare the pruned model with the original on them." };
        var labels = new Option<string?>("--labels") { Description = "With --data: class labels (.npy or text) for top-1/top-5 accuracy before and after." };
        var json = new Option<bool>("--json") { Description = "Write the result as JSON to stdout." };
        var command = new Command("prune", $"Prune a model: {string.Join("; ", PruneMethods.All.Select(m => $"{m.Name}, {m.Description}"))}.") { model, output };
        foreach (var option in settings.Options)
        {
            command.Options.Add(option);
        }

        command.Options.Add(data);
        command.Options.Add(labels);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            if (parse.GetValue(labels) is not null && parse.GetValue(data) is null)
            {
                throw new CompressBuildException(DiagnosticCodes.PruneOptionConflict, "--labels goes with --data.");
            }

            var pruneSettings = PruneBinding.Bind(settings.Plan(parse));
            return Run(context, new PruneOptions(parse.GetRequiredValue(model), parse.GetRequiredValue(output), pruneSettings, parse.GetValue(data), parse.GetValue(labels), parse.GetValue(json)));
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

        var result = new PruneCommandResult(options.Model, options.Output, pruned, comparison);
        if (options.Json)
        {
            JsonOutput.Write(context.Out, result.ToJson());
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

    private static string RoundTo(PruneSettings settings, RoundToDecision? decision) =>
        !settings.RoundToAuto ? settings.RoundTo.ToString(CultureInfo.InvariantCulture)
            : decision is null ? "auto" : $"auto: {decision.Chosen.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>round_to auto's choice, its reason and the times that confirm it (what <c>--json</c> carries under roundTo).</summary>
    private static string? RoundToLine(RoundToDecision? decision)
    {
        if (decision is null)
        {
            return null;
        }

        var predicted = decision is { DistortionAtOne: { } one, DistortionAtBlock: { } block }
            ? string.Create(CultureInfo.InvariantCulture, $"; output distortion on calibration samples round_to 1 {one:0.####}, round_to {decision.Block} {block:0.####}")
            : "";
        var timed = decision.MeasuredRatio is { } ratio
            ? string.Create(CultureInfo.InvariantCulture, $"; timed whole on 1 thread, {decision.MeasuredRounds} interleaved rounds: round_to 1 {decision.MeasuredOneMs:0.###} ms, " +
                $"round_to {decision.Block} {decision.MeasuredBlockMs:0.###} ms (median ratio {ratio:0.000})")
            : "; not timed";
        return $"Round-to    {decision.Chosen.ToString(CultureInfo.InvariantCulture)}: {decision.Reason}{predicted}{timed}";
    }

    /// <summary>Allocation latency's table and spending (what <c>--json</c> carries under latency, with the table itself).</summary>
    private static string LatencyLine(LatencyAllocationReport latency)
    {
        var timed = latency.Table.Groups.Count(g => g.Points.Count > 0);
        var source = latency.Source switch
        {
            "file" => $"read from {latency.Path}",
            "cache" => $"read from the cache ({latency.Path})",
            _ => string.Create(CultureInfo.InvariantCulture, $"measured in {latency.MeasureSeconds:0.0} s{(latency.Path is null ? "" : $", written to {latency.Path}")}"),
        };
        return string.Create(CultureInfo.InvariantCulture,
            $"Latency     table of {timed} channel group(s) ({latency.Table.Machine}), {source}; their sub-models take {latency.GroupsMs:0.###} ms at full width " +
                $"(1 thread), the whole model {latency.ModelMs:0.###} ms; budget {latency.BudgetMs:0.###} ms, the plan saves {latency.PlannedMs:0.###} ms: {latency.PredictedSpeedup:0.00}x predicted");
    }

    private static void Render(TextWriter o, PruneCommandResult command, PruneSettings settings)
    {
        var result = command.Pruned;
        var how = settings.Method switch
        {
            PruneMethod.NM => $"nm {settings.Pattern ?? NmPattern.TwoFour}",
            PruneMethod.Block => $"block {settings.Block ?? new BlockShape(4, 4)}, sparsity {Units.Percent(result.RequestedSparsity)} per layer",
            PruneMethod.Channel when settings.AllocationEffective == SparsityAllocation.Latency =>
                $"channel, {(settings.TargetSpeedup is { } target
                    ? string.Create(CultureInfo.InvariantCulture, $"the time a {target:0.00}x speed-up saves")
                    : $"the time {Units.Percent(result.RequestedSparsity)} of each group saves")}" +
                    ", by the latency table, spent where the output distorts least, " +
                    $"importance {PruneMethods.Importances.Of(settings.Importance).Name}, round-to {RoundTo(settings, result.RoundTo)}",
            PruneMethod.Channel => settings.AllocationEffective == SparsityAllocation.Distortion
                ? $"channel, {Units.Percent(result.RequestedSparsity)} of the multiply-adds, each group's share from its measured output " +
                    $"distortion, importance {PruneMethods.Importances.Of(settings.Importance).Name}, round-to {RoundTo(settings, result.RoundTo)}"
                : $"channel, {Units.Percent(result.RequestedSparsity)} of each group, importance {PruneMethods.Importances.Of(settings.Importance).Name}, round-to {RoundTo(settings, result.RoundTo)}",
            _ => $"magnitude, sparsity {Units.Percent(result.RequestedSparsity)}, scope " +
                $"{PruneMethods.Scopes.Of(settings.Scope).Name}{(settings.Allocation == SparsityAllocation.Lamp ? ", lamp" : "")}",
        };
        o.WriteLine($"Model       {command.Model} -> {command.Output}");
        o.WriteLine($"Method      {how}");
        if (RoundToLine(result.RoundTo) is { } roundTo)
        {
            o.WriteLine(roundTo);
        }

        if (result.Latency is { } latency)
        {
            o.WriteLine(LatencyLine(latency));
        }

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
                var rounded = settings.RoundToAuto && g.ChannelsAfter < g.ChannelsBefore ? $"round-to {g.RoundTo}" : "";
                groups.Add(string.Join(" + ", g.Members), g.ChannelsBefore, g.ChannelsAfter, string.Join("; ", new[] { rounded, g.Protected ?? "" }.Where(t => t.Length > 0)));
            }

            groups.WriteTo(o);
        }

        o.WriteLine($"Parameters  {Units.Count(result.ParametersBefore)} -> {Units.Count(result.ParametersAfter)}; non-zero " +
            $"{Units.Count(result.NonZeroBefore)} -> {Units.Count(result.NonZeroAfter)}; measured sparsity {Units.Percent(result.MeasuredSparsity)} " +
            $"of the pruned layers");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Zip size    {Units.Bytes(result.ZipBytesBefore)} -> {Units.Bytes(result.ZipBytesAfter)} ({(double)result.ZipBytesBefore / Math.Max(1, result.ZipBytesAfter):0.00}x smaller)"));
        if (command.Comparison is { } comparison)
        {
            foreach (var output in comparison.Outputs)
            {
                var accuracy = output.Accuracy is { } a
                    ? string.Create(CultureInfo.InvariantCulture, $", top-1 {Units.Percent(a.ReferenceTop1)} -> {Units.Percent(a.CandidateTop1)}, " +
                        $"top-{a.K} {Units.Percent(a.ReferenceTopK)} -> {Units.Percent(a.CandidateTopK)}")
                    : "";
                var agreement = output.Top1Agreement is { } t ? $", top-1 agreement {Units.Percent(t)}" : "";
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Compared    {output.Name} on {comparison.Samples} samples: cosine {output.Cosine:0.0000}{agreement}{accuracy}"));
            }
        }
    }
}
