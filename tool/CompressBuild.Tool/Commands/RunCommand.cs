using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Reporting;
using CompressBuild.Tool.Rendering;

namespace CompressBuild.Tool.Commands;

/// <summary><c>dotnet compress run</c>: every model of a compress.yaml, compressed, verified and gated.</summary>
internal static class RunCommand
{
    public static Command Create(CliContext context)
    {
        var config = new Argument<string>("config") { Description = "The compress.yaml.", DefaultValueFactory = _ => CompressConfigLoader.DefaultFileName };
        var models = new Option<string[]>("--model") { Description = "Run only this model (by name; repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var reportDir = new Option<string?>("--report-dir") { Description = "Write JSON, Markdown, HTML and JUnit reports, per model and a summary, here." };
        var json = new Option<bool>("--json") { Description = "Write the results as JSON to stdout." };
        var noCache = new Option<bool>("--no-cache") { Description = "Compute everything again; neither read nor write the cache." };
        var cacheDir = new Option<string?>("--cache-dir") { Description = $"The cache folder (default: ${ContentCache.EnvironmentVariable} or the user's cache folder)." };
        var updateBaseline = new Option<bool>("--update-baseline") { Description = "Record the results in the config's baseline file when every budget holds." };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads for verification (1 keeps latency comparable between runs).", DefaultValueFactory = _ => 1 };
        var command = new Command("run", "Run a compress.yaml: compress each model, verify it against its budgets, write the outputs that pass (exit 2 when any model misses).")
        {
            config, models, reportDir, json, noCache, cacheDir, updateBaseline, threads,
        };
        command.SetAction(parse => Run(context, new RunOptions(
            parse.GetRequiredValue(config), parse.GetValue(models) ?? [], parse.GetValue(reportDir), parse.GetValue(json),
            parse.GetValue(noCache), parse.GetValue(cacheDir), parse.GetValue(updateBaseline), Math.Max(0, parse.GetValue(threads)))));
        return command;
    }

    public static int Run(CliContext context, RunOptions options)
    {
        var config = CompressConfigLoader.Load(options.Config);
        var result = RunProgress.Run(context, options.Json, progress => PipelineRunner.Run(config, new PipelineOptions
        {
            ModelNames = options.Models,
            ReportDirectory = options.ReportDir,
            UseCache = !options.NoCache,
            CacheDirectory = options.CacheDir,
            UpdateBaseline = options.UpdateBaseline,
            Threads = options.Threads,
            Progress = progress,
        }));

        foreach (var model in result.Models)
        {
            var modelConfig = config.Models.Single(m => m.Name == model.Name);
            foreach (var advisory in model.Verification?.Advisories ?? [])
            {
                context.Error.WriteLine(new CompressBuildException(advisory.Code, $"{model.Name}: {advisory.Message}", config.Path).ToCanonicalString());
            }

            foreach (var miss in model.Passed ? [] : model.Verification?.Misses ?? [])
            {
                var at = BudgetLocations.Locate(modelConfig, config, miss);
                context.Error.WriteLine(new CompressBuildException(miss.Code, $"{model.Name}: {miss.Message}", at.File, at.Line, at.Column).ToCanonicalString());
            }
        }

        if (options.Json)
        {
            JsonOutput.Write(context.Out, ToJson(result));
        }
        else
        {
            WriteText(context.Out, result);
        }

        return result.ExitCode;
    }

    private static JsonObject ToJson(PipelineResult result) => new()
    {
        ["config"] = result.Config,
        ["passed"] = result.Passed,
        ["models"] = new JsonArray(result.Models.Select(m => (JsonNode)new JsonObject
        {
            ["name"] = m.Name,
            ["model"] = m.Model,
            ["output"] = m.Output,
            ["passed"] = m.Passed,
            ["stopReason"] = m.StopReason,
            ["cacheHits"] = m.CacheHits,
            ["trials"] = new JsonArray(m.Trials.Select(t => (JsonNode)new JsonObject
            {
                ["trial"] = t.Number,
                ["origin"] = t.Plan.Origin,
                ["passes"] = t.Plan.Describe(),
                ["passed"] = t.Outcome.Passed,
                ["sizeBytes"] = t.Outcome.SizeBytes,
                ["misses"] = new JsonArray(t.Outcome.Misses.Select(x => (JsonNode)x).ToArray()),
                ["chosen"] = ReferenceEquals(t, m.Chosen),
            }).ToArray()),
            ["verification"] = m.Verification is null ? null : JsonReport.Build(m.Verification),
        }).ToArray()),
        ["reports"] = new JsonArray(result.Reports.Select(r => (JsonNode)r).ToArray()),
    };

    private static void WriteText(TextWriter o, PipelineResult result)
    {
        var table = new TextTable("model", "passes", "size", "speedup", "top-1", "verdict", "trials", "cached");
        foreach (var m in result.Models)
        {
            var v = m.Verification;
            var accuracy = v?.Metrics.Labelled?.Accuracy;
            var speedup = v?.Latency?.Speedup;
            table.Add(
                m.Name,
                m.Shown.Plan.Brief(),
                v is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{Units.Bytes(v.ReferenceSize.Bytes)} -> {Units.Bytes(v.CandidateSize.Bytes)} ({v.SizeRatio:0.0}x)"),
                speedup is null ? "-" : $"{BudgetFormat.Ratio(speedup.Ratio)} {BudgetFormat.Interval(speedup.Low, speedup.High)}",
                accuracy is null ? "-" : $"{Units.Percent(accuracy.ReferenceTop1)} -> {Units.Percent(accuracy.CandidateTop1)}",
                m.Passed ? "pass" : "FAIL",
                m.Trials.Count,
                $"{m.CacheHits}/{m.Trials.Count}");
        }

        table.WriteTo(o, "");
        foreach (var m in result.Models.Where(m => !m.Passed))
        {
            o.WriteLine($"{m.Name}: {m.StopReason}. Trials:");
            foreach (var t in m.Trials)
            {
                o.WriteLine($"  {t.Number}. {t.Plan.Origin}: {t.Plan.Describe()}: {(t.Outcome.Passed ? "passed" : string.Join("; ", t.Outcome.Misses))}");
            }
        }

        foreach (var report in result.Reports)
        {
            o.WriteLine($"Report  {report}");
        }

        o.WriteLine(result.Passed ? "Result  passed" : $"Result  FAILED: {result.Models.Count(m => !m.Passed)} of {result.Models.Count} model(s) missed a budget");
    }
}
