using System.Globalization;
using System.Text.Json;
using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Pipeline.Search;
using CompressBuild.Engine.Reporting;

namespace CompressBuild.Engine.Pipeline;

/// <summary>
/// Runs a compress.yaml: for each model, the requested passes (or, with <c>search: auto</c>, the search for the
/// most compressed candidate that meets every budget), verification against the original, the output written
/// only when every budget holds, and reports. Exit code 2 when any model has no passing candidate.
/// </summary>
public static class PipelineRunner
{
    public static PipelineResult Run(CompressConfig config, PipelineOptions options)
    {
        var unknown = options.ModelNames.Where(n => config.Models.All(m => m.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid,
                $"no model named {string.Join(", ", unknown.Select(n => $"'{n}'"))} in the config; it has {string.Join(", ", config.Models.Select(m => $"'{m.Name}'"))}.", config.Path);
        }

        new Runtime.SessionSettings { IntraOpThreads = options.Threads }.Validate();
        var models = Select(config, options);
        CheckOutputs(config, models, options);
        options.Dependencies?.Add(config.Path);
        using var cache = options.UseCache ? OpenCache(options) : null;
        var results = models.Select(m => RunModel(config, m, options, cache)).ToList();
        if (options.RecordBaseline is { } record)
        {
            RecordBaseline(results, options, record);
        }
        var reports = new List<string>();
        if (options.ReportDirectory is { } directory)
        {
            reports.AddRange(results.SelectMany(r => r.Reports));
            var verified = results.Where(r => r.Verification is not null).Select(r => r.Verification!).ToList();
            // One model per process (the MSBuild task, --model-file) shares the report folder with its siblings:
            // a summary there would hold only the last model run, so its own folder is the whole report.
            if (verified.Count > 0 && options.ModelFile is null)
            {
                reports.AddRange(SummaryReport.WriteAll(verified, directory));
            }
        }

        // Every output is written and no entry is read any more: now the local cache may shrink to its limit.
        if (cache?.Trim() is { Removed: > 0 } trimmed)
        {
            options.Progress?.Invoke(new PipelineEvent("", string.Create(CultureInfo.InvariantCulture,
                $"local cache trimmed to its size limit: {trimmed.Removed} least recently used entries removed ({BudgetFormat.Bytes(trimmed.FreedBytes)})")));
        }

        return new PipelineResult(config.Path, results, reports) { MissesAsWarnings = options.MissesAsWarnings, CacheWarnings = cache?.Warnings ?? [] };
    }

    private static LayeredCache OpenCache(PipelineOptions options)
    {
        var remote = RemoteCache.Open(options.Cache, options.CacheEnvironment, options.CacheLimits);
        if (remote is not null)
        {
            options.Progress?.Invoke(new PipelineEvent("", $"remote cache {remote.Location} ({(remote.Mode == CacheMode.Read ? "read only" : "read and write")})"));
        }

        return new LayeredCache(ContentCache.Open(options.CacheDirectory), remote, options.Cache.MaxSizeBytes);
    }

    /// <summary>
    /// Before any work: no output (after links) is a file the run reads (a model, the config, the baseline, data
    /// or labels), none is a device or FIFO, and the report folder is not a file, so a refused run writes nothing.
    /// </summary>
    private static void CheckOutputs(CompressConfig config, List<ModelConfig> models, PipelineOptions options)
    {
        if (options.ReportDirectory is { } directory && File.Exists(directory))
        {
            throw new CompressBuildException(DiagnosticCodes.OutputPathInvalid, "the report folder is a file; give a folder (it is created if missing).", directory);
        }

        var reads = ConfigInputs.Of(config).ToList();
        foreach (var model in config.Models)
        {
            try
            {
                reads.AddRange(ModelFiles.ReadBy(OnnxModelReader.Load(model.Path)));
            }
            catch (CompressBuildException)
            {
                // A model that does not load is reported when the run reaches it; its own file is listed already.
            }
        }

        foreach (var model in models)
        {
            OutputGuard.Check(model.Output, reads);
        }
    }

    /// <summary>The models to run: by name (<c>--model</c>), by resolved path (<c>--model-file</c>), with <c>--output</c> applied.</summary>
    private static List<ModelConfig> Select(CompressConfig config, PipelineOptions options)
    {
        var models = config.Models.Where(m => options.ModelNames.Count == 0 || options.ModelNames.Contains(m.Name)).ToList();
        if (options.ModelFile is { } file)
        {
            // The file system's own case rules: the MSBuild item and the config may spell a Windows path differently.
            var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            var full = Path.GetFullPath(file);
            models = models.Where(m => string.Equals(Path.GetFullPath(m.Path), full, comparison)).ToList();
            if (models.Count == 0)
            {
                throw new CompressBuildException(DiagnosticCodes.ModelFileNotInConfig,
                    $"{Path.GetFileName(config.Path)} has no model with path {full}; its models are: {string.Join(", ", config.Models.Select(m => m.Path))}.", config.Path);
            }
        }

        if (options.OutputOverride is { } output)
        {
            if (models.Count != 1)
            {
                throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid,
                    $"--output names one file, but {models.Count} models are selected ({string.Join(", ", models.Select(m => m.Name))}); select one with --model-file or --model.");
            }

            var full = Path.GetFullPath(output);
            if (string.Equals(full, Path.GetFullPath(models[0].Path), StringComparison.OrdinalIgnoreCase))
            {
                throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, $"--output {full} is the model itself; the original must stay untouched.");
            }

            models = [models[0] with { Output = full }];
        }

        return models;
    }

    /// <summary>
    /// <c>--record-baseline</c>: this run's entries for the selected models, from the verification already done,
    /// when every budget held (or misses are warnings). The MSBuild task packs the file as the release's baseline.
    /// </summary>
    private static void RecordBaseline(List<ModelRunResult> results, PipelineOptions options, string path)
    {
        if ((!options.MissesAsWarnings && results.Any(r => !r.Passed)) || results.Any(r => r.Broken))
        {
            return;
        }

        BaselineRecorder.Write(results.Where(r => r.Verification is not null && r.Output is not null).Select(r => r.Verification! with { ModelName = r.Name }), path);
        options.Progress?.Invoke(new PipelineEvent(results.Count == 1 ? results[0].Name : "", $"baseline recorded: {path}"));
    }

    private static ModelRunResult RunModel(CompressConfig config, ModelConfig model, PipelineOptions options, LayeredCache? cache)
    {
        void Report(string message, PipelineEventKind kind = PipelineEventKind.Step, int? trial = null, int? limit = null) =>
            options.Progress?.Invoke(new PipelineEvent(model.Name, message, trial) { Kind = kind, TrialLimit = limit });

        var original = OnnxModelReader.Load(model.Path);
        var requested = PlanFactory.FromConfig(model.Passes);
        using var scratch = new ScratchFolder("run");
        var evaluator = new PipelineEvaluator(original, model, config, options, cache, scratch);
        var counting = new TrialProgressEvaluator(evaluator, (number, plan, outcome) =>
            Report($"trial {number}: {plan.Origin}: {(outcome.Passed ? "meets every budget" : "missed " + string.Join("; ", outcome.Misses))}", PipelineEventKind.Trial, number));
        var searching = model.Search?.Text("mode") == "auto";
        var limits = !searching ? null : new SearchLimits(
            (int?)model.Search!.WholeNumber("max_trials") ?? SearchLimits.Default.MaxTrials,
            model.Search.Duration("timeout") ?? SearchLimits.Default.Timeout);
        Report($"compressing {model.Path}: {requested.Describe()}", PipelineEventKind.Started, limit: limits?.MaxTrials ?? 1);

        SearchResult search;
        if (limits is not null)
        {
            search = BudgetSearch.Run(requested, counting, limits);
        }
        else
        {
            var outcome = counting.Evaluate(requested);
            var trial = new Trial(1, requested, outcome, TimeSpan.Zero);
            search = new SearchResult(outcome.Passed ? trial : null, [trial], outcome.Passed ? "the requested passes meet every budget" : "the requested passes miss a budget (search is off)");
        }

        var verified = search.Trials.Where(t => t.Outcome.SkippedBecause is null).ToList();
        if (verified.Count == 0)
        {
            // Only a timeout stops a search before its first trial is verified.
            var at = model.Search?.Source ?? model.Source.Source;
            throw new CompressBuildException(DiagnosticCodes.SearchTimedOut,
                $"{model.Name}: the search stopped before verifying any candidate ({search.StopReason}); raise search.timeout or make the requested passes cheaper.", at.File, at.Line, at.Column);
        }

        var shown = search.Chosen ?? verified.OrderBy(t => t.Outcome.Misses.Count).ThenBy(t => t.Number).First();
        var (candidate, record) = evaluator.Artifacts(shown.Plan);
        var verification = record.Verification;
        if (ModeChange.Describe(requested, search.Trials, shown) is { } changed)
        {
            verification = verification with { Advisories = [.. verification.Advisories, new Advisory(DiagnosticCodes.CandidateModeDiffers,
                $"the chosen candidate is {changed}: the requested passes did not meet every budget, so the search fell back to another mode.")] };
        }

        string? output = null;
        if (search.Chosen is not null || (options.MissesAsWarnings && !verification.Broken))
        {
            // Load + save is byte-identical for our writer, and writes the model and its data atomically.
            OnnxModelWriter.Save(OnnxModelReader.Load(candidate), model.Output, ModelSaveOptions.Default);
            output = model.Output;
            verification = verification with { Candidate = model.Output };
            if (options.UpdateBaseline && search.Chosen is not null && config.Baseline is { } baseline)
            {
                // The figures this run was judged on: the written model is the verified candidate, byte for byte.
                verification = BaselineRecorder.Update(verification, baseline);
                Report(verification.BaselineUpdated ? $"baseline updated: {baseline}" : "baseline not updated: a budget was missed");
            }
        }
        else
        {
            // The candidate lives in a scratch or cache folder the user never sees (a scratch one is gone after the
            // run): reports and messages name the model and the plan instead.
            var described = $"{model.Path} compressed by {shown.Plan.Brief()} (not written)";
            verification = verification with { Candidate = described, CandidateSize = verification.CandidateSize with { Files = [described] } };
        }

        if (output is null && File.Exists(model.Output))
        {
            // An output left by an earlier, passing run would otherwise look like this run's result.
            File.Delete(model.Output);
            Report($"removed {model.Output} from an earlier run: no candidate passes now");
        }

        var reports = new List<string>();
        if (options.ReportDirectory is { } directory)
        {
            var folder = Path.Combine(directory, model.Name);
            reports.AddRange(ReportWriter.WriteAll(verification, folder));
            var trials = Path.Combine(folder, model.Name + ".trials.json");
            TextFile.Write(trials, TrialJson.Build(search.Trials, search.Chosen).ToJsonString(JsonFormat.Indented) + "\n");
            reports.Add(trials);
        }

        Report(output is null
            ? $"no candidate meets every budget ({search.StopReason}); nothing written"
            : search.Chosen is null
            ? $"wrote {model.Output} although it misses a budget (misses are warnings): {search.StopReason}"
            : string.Create(CultureInfo.InvariantCulture, $"wrote {model.Output}: {verification.SizeRatio:0.0}x smaller ({search.StopReason})"),
            PipelineEventKind.Finished);
        return new ModelRunResult(model.Name, model.Path, output, search.Chosen is not null, search.Trials, search.Chosen, shown, search.StopReason,
            evaluator.CacheHits, verification, reports) { RemoteHits = evaluator.RemoteHits };
    }
}
