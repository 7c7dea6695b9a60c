using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Reporting;
using CompressBuild.Engine.Runtime;
using CompressBuild.Tool.Baselines;
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
        var cacheUrl = new Option<string?>("--cache-url")
        {
            Description = "A shared remote cache behind the local one: azblob://ACCOUNT/CONTAINER/PREFIX, s3://BUCKET/PREFIX or file:///PATH " +
                $"(default: ${CacheSettings.UrlVariable}).",
        };
        var cacheMode = new Option<string?>("--cache-mode")
        {
            Description = $"read: use the remote cache, never write it (untrusted builds); readwrite (default; also ${CacheSettings.ModeVariable}).",
        };
        var cacheMaxSize = new Option<string?>("--cache-max-size")
        {
            Description = "Trim the local cache to this size after the run, least recently used first, e.g. 10GB " +
                $"(default: ${CacheSettings.MaxSizeVariable}, else no limit).",
        };
        var updateBaseline = new Option<bool>("--update-baseline") { Description = "Record the results in the config's baseline file when every budget holds." };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads for verification (1 keeps latency comparable between runs).", DefaultValueFactory = _ => 1 };
        var build = new RunBuildArguments();
        var latency = new LatencyArguments();
        var command = new Command("run", "Run a compress.yaml: compress each model, verify it against its budgets, write the outputs that pass (exit 2 when any model misses).")
        {
            config, models, reportDir, json, noCache, cacheDir, cacheUrl, cacheMode, cacheMaxSize, updateBaseline, threads,
        };
        build.AddTo(command);
        latency.AddTo(command);
        command.SetAction(parse => Run(context, new RunOptions(
            parse.GetRequiredValue(config), parse.GetValue(models) ?? [], parse.GetValue(reportDir), parse.GetValue(json),
            parse.GetValue(noCache), parse.GetValue(cacheDir), parse.GetValue(updateBaseline), Math.Max(0, parse.GetValue(threads)))
        {
            Build = build.Read(parse),
            ThreadsGiven = parse.GetResult(threads) is { Implicit: false },
            Latency = latency.Read(parse),
            Cache = new CacheArguments(parse.GetValue(cacheUrl), parse.GetValue(cacheMode), parse.GetValue(cacheMaxSize)),
        }));
        return command;
    }

    public static int Run(CliContext context, RunOptions options)
    {
        if (options.Build.JsonLines)
        {
            return RunJsonLines(context, options);
        }

        var origin = options.Build.Origin is { } text ? SourceOrigin.Parse(text) : null;
        try
        {
            return RunText(context, options, origin);
        }
        catch (CompressBuildException e) when (origin is not null)
        {
            var at = DiagnosticLine.From(e).At(origin, options.Config);
            throw new CompressBuildException(e.Code, e.Message, at.File, at.Line, at.Column, e);
        }
    }

    private static int RunText(CliContext context, RunOptions options, SourceOrigin? origin)
    {
        var config = CompressConfigLoader.Load(options.Config);
        var result = RunProgress.Run(context, options.Json, progress => Execute(options, config, progress));
        foreach (var line in Diagnostics(result, config, options.Build, origin))
        {
            context.Error.WriteLine(line.ToCanonicalString());
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

    /// <summary>
    /// <c>--message-format json-lines</c>: the MSBuild task's protocol. Everything, failures included, is one JSON
    /// line on stdout, and the last line is always the result with the exit code.
    /// </summary>
    private static int RunJsonLines(CliContext context, RunOptions options)
    {
        var lines = new JsonLinesWriter(context.Out);
        SourceOrigin? origin = null;
        int exitCode;
        try
        {
            origin = options.Build.Origin is { } text ? SourceOrigin.Parse(text) : null;
            var config = CompressConfigLoader.Load(options.Config);
            var result = Execute(options, config, e => lines.Progress(e.Model, e.Message, e.Kind.ToString().ToLowerInvariant(), e.Trial, e.TrialLimit));
            foreach (var line in Diagnostics(result, config, options.Build, origin))
            {
                lines.Diagnostic(line);
            }

            foreach (var model in result.Models)
            {
                lines.Summary(model.Name, model.Model, model.Output, model.Passed, ModelSummaryText.For(model, config.Path, result.MissesAsWarnings), model.Reports);
            }

            exitCode = result.ExitCode;
        }
        catch (Exception e)
        {
            var (line, code) = Failure(e);
            lines.Diagnostic(line.At(origin, options.Config));
            exitCode = code;
        }

        lines.Result(exitCode);
        return exitCode;
    }

    /// <summary>The engine run both message formats share: release baseline, pipeline, dependencies file.</summary>
    private static PipelineResult Execute(RunOptions options, CompressConfig config, Action<PipelineEvent> progress)
    {
        var build = options.Build;
        var dependencies = build.DependenciesFile is null ? null : new DependencyCollector();
        var result = PipelineRunner.Run(config, new PipelineOptions
        {
            ModelNames = options.Models,
            ReportDirectory = options.ReportDir,
            UseCache = !options.NoCache,
            CacheDirectory = options.CacheDir,
            Cache = CacheSettings.Resolve(options.Cache.Url, options.Cache.Mode, options.Cache.MaxSize, Environment.GetEnvironmentVariable),
            UpdateBaseline = options.UpdateBaseline,
            Threads = RuntimeSection.Apply(config, options.Threads, options.ThreadsGiven),
            Latency = options.Latency,
            Progress = progress,
            ModelFile = build.ModelFile,
            OutputOverride = build.Output,
            MissesAsWarnings = build.MissesAsWarnings,
            Dependencies = dependencies,
            RecordBaseline = build.RecordBaseline,
            Release = Release(build, progress),
        });

        if (dependencies is not null && result.Models.All(m => m.Output is not null))
        {
            dependencies.WriteTo(build.DependenciesFile!);
        }

        return result;
    }

    /// <summary>Advisories, then budget misses (at the budget's line in compress.yaml), moved to <c>--origin</c> when given.</summary>
    private static IEnumerable<DiagnosticLine> Diagnostics(PipelineResult result, CompressConfig config, RunBuildOptions build, SourceOrigin? origin)
    {
        // About the machine's cache, not a place in the config: no file.
        foreach (var warning in result.CacheWarnings)
        {
            yield return new DiagnosticLine(DiagnosticLine.Warning, warning.Code.Id, warning.Message);
        }

        foreach (var model in result.Models)
        {
            var modelConfig = config.Models.Single(m => m.Name == model.Name);
            foreach (var advisory in model.Verification?.Advisories ?? [])
            {
                var where = BudgetLocations.Locate(modelConfig, advisory);
                yield return new DiagnosticLine(DiagnosticLine.Warning, advisory.Code.Id, $"{model.Name}: {advisory.Message}", where.File, where.Line, where.Column).At(origin, config.Path);
            }

            foreach (var miss in model.Passed ? [] : model.Verification?.Misses ?? [])
            {
                var at = BudgetLocations.Locate(modelConfig, config, miss);
                var severity = build.MissesAsWarnings && !FidelityFloors.IsBroken(miss.Code) ? DiagnosticLine.Warning : DiagnosticLine.Error;
                yield return new DiagnosticLine(severity, miss.Code.Id, $"{model.Name}: {miss.Message}", at.File, at.Line, at.Column).At(origin, config.Path);
            }
        }
    }

    /// <summary>A failure as one diagnostic and its exit code, mapped as the CLI maps them in text mode.</summary>
    private static (DiagnosticLine Line, int ExitCode) Failure(Exception e) => e switch
    {
        CompressBuildException cb => (DiagnosticLine.From(cb), cb.Code.ExitCode),
        OrtException ort => (
            new DiagnosticLine(DiagnosticLine.Error, DiagnosticCodes.RuntimeFailed.Id, $"ONNX Runtime failed ({ort.ErrorCode}): {ort.Message}"),
            DiagnosticCodes.RuntimeFailed.ExitCode),
        IOException or UnauthorizedAccessException => (new DiagnosticLine(DiagnosticLine.Error, DiagnosticCodes.FileAccessFailed.Id, e.Message), DiagnosticCodes.FileAccessFailed.ExitCode),

        // DiagnosticCode has no category for 0001, so the protocol's "unexpected failure" code is written as text.
        _ => (new DiagnosticLine(DiagnosticLine.Error, "CB0001", $"unexpected: {e.GetType().Name}: {e.Message}"), ExitCodes.UnexpectedFailure),
    };

    /// <summary><c>--baseline-package/--baseline-feed/--baseline-before</c>: the last release's baselines, or null.</summary>
    private static ReleaseBaseline? Release(RunBuildOptions build, Action<PipelineEvent> progress)
    {
        if (build.BaselinePackage is null && build.BaselineFeed is null && build.BaselineBefore is null)
        {
            return null;
        }

        if (build.BaselinePackage is not { } package || build.BaselineFeed is not { } feed || build.BaselineBefore is not { } before)
        {
            throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, "--baseline-package, --baseline-feed and --baseline-before go together; give all three.");
        }

        return ReleaseBaselineFetcher.Fetch(package, feed, before, message => progress(new PipelineEvent("", message)));
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
            ["remoteCacheHits"] = m.RemoteHits,
            ["trials"] = TrialJson.Build(m.Trials, m.Chosen),
            ["verification"] = m.Verification is null ? null : JsonReport.Build(m.Verification),
        }).ToArray()),
        ["reports"] = new JsonArray(result.Reports.Select(r => (JsonNode)r).ToArray()),
    };

    private static void WriteText(TextWriter o, PipelineResult result)
    {
        var table = new TextTable("model", "passes", "size", "speedup", "accuracy", "verdict", "trials", "cached");
        foreach (var m in result.Models)
        {
            var v = m.Verification;
            var speedup = v?.Latency?.Speedup;
            table.Add(
                m.Name,
                m.Shown.Plan.Brief(),
                v is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{Units.Bytes(v.ReferenceSize.Bytes)} -> {Units.Bytes(v.CandidateSize.Bytes)} ({v.SizeRatio:0.0}x)"),
                speedup is null ? "-" : $"{BudgetFormat.Ratio(speedup.Ratio)} {BudgetFormat.Interval(speedup.Low, speedup.High)}",
                ModelSummaryText.AccuracyCell(v),
                m.Passed ? "pass" : "FAIL",
                m.Trials.Count(t => t.Outcome.SkippedBecause is null),
                m.RemoteHits > 0
                    ? $"{m.CacheHits}/{m.Trials.Count(t => t.Outcome.SkippedBecause is null)} ({m.RemoteHits} remote)"
                    : $"{m.CacheHits}/{m.Trials.Count(t => t.Outcome.SkippedBecause is null)}");
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

        o.WriteLine(result.Passed
            ? "Result  passed"
            : result.MissesAsWarnings && !result.Models.Any(m => m.Broken)
                ? $"Result  passed with warnings: {result.Models.Count(m => !m.Passed)} of {result.Models.Count} model(s) missed a budget"
                : $"Result  FAILED: {result.Models.Count(m => !m.Passed)} of {result.Models.Count} model(s) missed a budget");
    }
}
