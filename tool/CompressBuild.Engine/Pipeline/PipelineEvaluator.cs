using System.Globalization;
using System.Text.Json;
using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Pipeline.Search;
using CompressBuild.Engine.Quantization.Fusion;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pipeline;

/// <summary>
/// Builds and verifies one candidate per plan: applies the passes to the original model, writes the candidate,
/// verifies it against the original, and keeps the candidate and its record in the content-addressed cache, so
/// the same plan on the same inputs is never computed twice (across runs, processes and machines' builds).
/// </summary>
internal sealed class PipelineEvaluator(OnnxModel original, ModelConfig model, CompressConfig config, PipelineOptions options, LayeredCache? cache, ScratchFolder scratch)
    : ICandidateEvaluator
{
    public const string CandidateFile = "model.onnx";
    public const string RecordFile = "trial.json";

    private readonly Dictionary<string, (string Candidate, TrialRecord Record)> done = new(StringComparer.Ordinal);
    private int warningsSeen;

    /// <summary>Content hash of each candidate built or restored so far, to the plan that made it first.</summary>
    private readonly Dictionary<string, CandidatePlan> built = new(StringComparer.Ordinal);

    public int CacheHits { get; private set; }

    public int RemoteHits { get; private set; }

    public (string Candidate, TrialRecord Record) Artifacts(CandidatePlan plan) => done[plan.Describe()];

    public TrialOutcome Evaluate(CandidatePlan plan)
    {
        var key = Key(plan);
        var lookup = cache?.TryGet(key, plan.Origin);
        if (lookup?.Entry is { } entry)
        {
            var cached = JsonSerializer.Deserialize<TrialRecord>(File.ReadAllText(entry.PathOf(RecordFile)), CacheJson.Options)!;
            CacheHits++;
            if (lookup.Download is { } download)
            {
                RemoteHits++;
                Report($"remote cache hit for {plan.Origin}: {download.Describe()}");
            }
            else
            {
                Report($"cache hit for {plan.Origin}");
            }

            built.TryAdd(ContentHash(entry.PathOf(CandidateFile)), plan);
            return Remember(plan, entry.PathOf(CandidateFile), cached);
        }

        ReportCacheWarnings();
        if (lookup?.LocalWasCorrupt == true)
        {
            Report($"warning {DiagnosticCodes.CacheEntryCorrupt}: a damaged cache entry for {plan.Origin} was removed and is being rebuilt");
        }

        var folder = Directory.CreateDirectory(scratch.File("trial-" + done.Count.ToString(CultureInfo.InvariantCulture))).FullName;
        var candidate = Path.Combine(folder, CandidateFile);
        // The key's head lets two runs that should have shared this work (a CLI run and a build) be compared.
        Report($"{plan.Origin}: applying {plan.Describe()} (not cached under key {key[..12]})");
        var (compressed, quantizedLayers, summaries, passAdvisories, onlyQuantizedNothing, fusion) = Apply(plan);
        OnnxModelWriter.Save(compressed, candidate, new ModelSaveOptions { DataFileName = CandidateFile + ".data" });

        // The search's own trials are not verified when they change nothing: the requested plan always is.
        var hash = ContentHash(candidate);
        if (done.Count > 0 && Unchanged(compressed, onlyQuantizedNothing, summaries, hash) is { } reason)
        {
            Report($"{plan.Origin}: skipped, {reason}");
            return TrialOutcome.Skipped(reason, new FileInfo(candidate).Length);
        }

        built.TryAdd(hash, plan);
        Report($"{plan.Origin}: verifying against the original");
        var verification = Verifier.Run(
            VerificationBinding.Bind(model, candidate, config.Baseline, updateBaseline: false, options.Threads) with
            {
                Release = options.Release,
                Latency = options.Latency,
                Fusion = fusion,
            });
        verification = verification with { Advisories = [.. passAdvisories, .. verification.Advisories] };
        var record = new TrialRecord(quantizedLayers, summaries, verification);
        File.WriteAllText(Path.Combine(folder, RecordFile), JsonSerializer.Serialize(record, CacheJson.Options));
        if (cache is not null)
        {
            var files = Directory.GetFiles(folder).Select(f => new KeyValuePair<string, string>(Path.GetFileName(f), f)).ToList();
            var (stored, upload) = cache.Put(key, files);
            if (upload is not null)
            {
                Report(upload.Bytes == 0 ? $"{plan.Origin}: already in the remote cache" : $"{plan.Origin}: uploaded to the remote cache: {upload.Describe()}");
            }

            ReportCacheWarnings();
            return Remember(plan, stored.PathOf(CandidateFile), record);
        }

        return Remember(plan, candidate, record);
    }

    private TrialOutcome Remember(CandidatePlan plan, string candidate, TrialRecord record)
    {
        done[plan.Describe()] = (candidate, record);
        var v = record.Verification;
        return new TrialOutcome(v.Passed, BackOffRule.Applies(v.Misses), v.Misses.Select(m => $"{m.Code}: {m.Message}").ToList(), v.CandidateSize.Bytes, record.QuantizedLayers, record);
    }

    /// <summary>Why a built candidate is not worth verifying: it is the original model, or a candidate already tried.</summary>
    /// <param name="onlyQuantizedNothing">Every pass of the plan quantizes, and none quantized a layer.</param>
    private string? Unchanged(OnnxModel compressed, bool onlyQuantizedNothing, List<string> summaries, string hash)
    {
        if (ReferenceEquals(compressed, original) || onlyQuantizedNothing)
        {
            return $"it changes nothing ({string.Join("; ", summaries)})";
        }

        return built.TryGetValue(hash, out var earlier) ? $"its model is identical to the one of '{earlier.Origin}'" : null;
    }

    private static string ContentHash(string file)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var part in new[] { file, file + ".data" }.Where(File.Exists))
        {
            hash.AppendData(File.ReadAllBytes(part));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private (OnnxModel Model, int QuantizedLayers, List<string> Summaries, List<Advisory> Advisories, bool OnlyQuantizedNothing, FusionReport? Fusion) Apply(
        CandidatePlan plan)
    {
        var current = original;
        var quantized = 0;
        var summaries = new List<string>();
        var advisories = new List<Advisory>();
        var onlyQuantizedNothing = plan.Passes.Count > 0;
        FusionReport? fusion = null;
        foreach (var pass in plan.Passes)
        {
            try
            {
                var applied = pass.Pass.Apply(current, pass);
                foreach (var trace in applied.Trace)
                {
                    Report($"{plan.Origin}: {trace}");
                }

                current = applied.Model;
                // Only the last pass's report describes the candidate: a later pass that reads none changes the graph it was read from.
                fusion = applied.Fusion;
                quantized = applied.QuantizedLayers ?? quantized;
                onlyQuantizedNothing &= applied.QuantizedLayers == 0;
                summaries.Add(applied.Summary);
                advisories.AddRange(applied.Advisories);
            }
            catch (CompressBuildException e) when (e.File is null)
            {
                // Option errors raised by a pass name no file; the pass's entry in compress.yaml is where to fix them.
                var at = model.Passes.FirstOrDefault(p => p.Pass == pass.Pass)?.Settings.Source ?? model.Source.Source;
                throw new CompressBuildException(e.Code, e.Message, at.File, at.Line, at.Column, e);
            }
        }

        return (current, quantized, summaries, advisories, onlyQuantizedNothing, fusion);
    }

    private string Key(CandidatePlan plan)
    {
        using var key = new CacheKeyBuilder(options.Dependencies);
        key.AddText("format", "compressbuild-trial-2")
            .AddModel("model", original)
            .AddText("plan", PortablePlan(plan))
            .AddText("tool", Verifier.ToolVersion)
            .AddText("runtime", InferenceSession.RuntimeVersion)
            .AddText("execution-provider", ExecutionProviders.Describe(RuntimeDefaults.ExecutionProvider).Name)
            .AddText("machine", MachineProbe.Current.Id)
            .AddText("threads", options.Threads.ToString(CultureInfo.InvariantCulture));
        foreach (var pass in plan.Passes)
        {
            foreach (var (name, value) in pass.Settings.Where(s => s.Key.EndsWith(".data", StringComparison.Ordinal)))
            {
                key.AddPath($"{pass.Pass.Name}.{name}", (string)value);
            }
        }

        if (model.Evaluation is { } evaluation)
        {
            key.AddText("evaluation", Canonical(evaluation, except: ["data", "labels", "keys"]));
            key.AddPath("evaluation.data", evaluation.Text("data")!);
            if (evaluation.Text("labels") is { } labels)
            {
                key.AddPath("evaluation.labels", labels);
            }

            if (evaluation.Text("keys") is { } keys)
            {
                key.AddPath("evaluation.keys", keys);
            }
        }

        key.AddText("budgets", model.Budgets is null ? "" : Canonical(model.Budgets));
        if (config.Baseline is { } baseline && File.Exists(baseline))
        {
            key.AddPath("baseline", baseline);
        }

        if (options.Release is { } release && release.Document.Models.TryGetValue(model.Name, out var released))
        {
            key.AddText("release", JsonSerializer.Serialize(released, CacheJson.Options));
        }

        return key.Build();
    }

    private static string Canonical(ConfigValues values, string[]? except = null) =>
        string.Join(";", values.Entries.Where(e => except is null || !except.Contains(e.Key)).Select(e => $"{e.Key}={Convert.ToString(e.Value, CultureInfo.InvariantCulture)}"));

    /// <summary>
    /// The plan without its data files' paths: their contents are in the key already, and absolute paths differ
    /// between machines (CI agents check out to different folders), which would keep them from sharing entries.
    /// </summary>
    private static string PortablePlan(CandidatePlan plan) => string.Join(" -> ", plan.Passes.Select(p =>
        p.Settings.Keys.Where(k => k.EndsWith(".data", StringComparison.Ordinal)).Aggregate(p, (pass, k) => pass.With(k, "(content)")).Describe()));

    /// <summary>Says on the progress stream when the remote cache gave up (the warning itself is reported once, after the run).</summary>
    private void ReportCacheWarnings()
    {
        var warnings = cache?.Warnings ?? [];
        for (; warningsSeen < warnings.Count; warningsSeen++)
        {
            Report($"remote cache: {warnings[warningsSeen].Message}");
        }
    }

    private void Report(string message) => options.Progress?.Invoke(new PipelineEvent(model.Name, message));
}
