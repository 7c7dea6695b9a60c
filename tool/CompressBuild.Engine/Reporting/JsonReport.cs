using System.Text.Json.Nodes;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Quantization.Fusion;

namespace CompressBuild.Engine.Reporting;

/// <summary>
/// The verification report as JSON, shape documented by the embedded JSON Schema <see cref="Schema"/>
/// (verify-report.schema.json). <c>schemaVersion</c> goes up only when a field changes meaning or goes away;
/// new fields may appear within a version. Infinite SQNR (identical outputs) is written as null.
/// </summary>
public static class JsonReport
{
    public const int SchemaVersion = 1;

    public const string SchemaFileName = "verify-report.schema.json";

    public static string Schema { get; } = ReadSchema();

    public static string Serialize(VerificationResult result) => Build(result).ToJsonString(JsonFormat.Indented);

    public static JsonObject Build(VerificationResult r) => new()
    {
        ["schemaVersion"] = SchemaVersion,
        ["model"] = r.ModelName,
        ["passed"] = r.Passed,
        ["candidate"] = r.Candidate,
        ["reference"] = r.Reference,
        ["data"] = new JsonObject { ["source"] = r.Data, ["labels"] = r.Labels, ["samples"] = r.Samples, ["batch"] = r.Batch },
        ["outputs"] = new JsonArray(r.Metrics.Outputs.Select(Output).ToArray<JsonNode?>()),
        ["metric"] = AccuracyMetrics.NameOf(r.Metric),
        ["text"] = r.Metrics.Text is null ? null : Text(r.Metrics.Text, r.Keys),
        ["latency"] = r.Latency is null ? null : Latency(r.Latency, r),
        ["size"] = new JsonObject
        {
            ["reference"] = Size(r.ReferenceSize),
            ["candidate"] = Size(r.CandidateSize),
            ["ratio"] = r.SizeRatio,
        },
        ["machine"] = new JsonObject
        {
            ["id"] = r.Machine.Id,
            ["cpuModel"] = r.Machine.CpuModel,
            ["cores"] = r.Machine.Cores,
            ["operatingSystem"] = r.Machine.OperatingSystem,
            ["architecture"] = r.Machine.Architecture,
            ["isaFlags"] = new JsonArray(r.Machine.IsaFlags.Select(f => (JsonNode?)f).ToArray()),
        },
        ["tool"] = new JsonObject { ["version"] = r.ToolVersion, ["runtime"] = r.RuntimeVersion },
        ["checks"] = new JsonArray(r.Checks.Select(Check).ToArray<JsonNode?>()),
        ["advisories"] = new JsonArray(r.Advisories.Select(a => (JsonNode?)new JsonObject { ["code"] = a.Code.Id, ["message"] = a.Message }).ToArray()),
        ["baseline"] = r.BaselinePath is null ? null : new JsonObject { ["path"] = r.BaselinePath, ["updated"] = r.BaselineUpdated },
        ["layerSensitivity"] = new JsonArray(r.LayerSensitivity.Select(l => (JsonNode?)new JsonObject { ["layer"] = l.Layer, ["metric"] = l.Metric, ["value"] = Finite(l.Value) }).ToArray()),
        ["fusion"] = r.Fusion is null ? null : Fusion(r.Fusion),
    };

    /// <summary>The same names as <c>quantize --json</c>'s fusion object, so one reader serves both.</summary>
    private static JsonObject Fusion(FusionReport f) => new()
    {
        ["integerKernels"] = Counts(f.IntegerKernels),
        ["floatBetweenQdq"] = Counts(f.FloatBetweenQdq),
        ["integerTotal"] = f.IntegerTotal,
        ["floatTotal"] = f.FloatTotal,
        ["quantizedConv"] = f.QuantizedConv,
        ["fusedConv"] = f.FusedConv,
        ["convFusedShare"] = f.ConvFusedShare,
        ["unfused"] = new JsonArray(f.Unfused.Select(u => (JsonNode?)new JsonObject { ["node"] = u.Node, ["opType"] = u.OpType, ["reason"] = u.Reason }).ToArray()),
    };

    private static JsonArray Counts(IReadOnlyList<FusionCount> counts) =>
        new(counts.Select(c => (JsonNode?)new JsonObject { ["opType"] = c.OpType, ["count"] = c.Count }).ToArray());

    private static JsonObject Output(OutputMetrics o) => new()
    {
        ["name"] = o.Name,
        ["kind"] = o.IsClassification ? "classification" : "regression",
        ["cosine"] = o.Cosine,
        ["minCosine"] = o.MinCosine,
        ["mse"] = o.Mse,
        ["maxAbsError"] = o.MaxAbsError,
        ["sqnrDb"] = Finite(o.SqnrDb),
        ["top1Agreement"] = o.Top1Agreement,
        ["accuracy"] = o.Accuracy is not { } a ? null : new JsonObject
        {
            ["k"] = a.K,
            ["referenceTop1"] = a.ReferenceTop1,
            ["candidateTop1"] = a.CandidateTop1,
            ["referenceTopK"] = a.ReferenceTopK,
            ["candidateTopK"] = a.CandidateTopK,
            ["top1Drop"] = a.Top1Drop,
        },
    };

    private static JsonObject Text(TextAccuracy t, string? keys) => new()
    {
        ["output"] = t.Output,
        ["keys"] = keys,
        ["classes"] = t.Classes,
        ["appendsSpace"] = t.AppendsSpace,
        ["lines"] = t.Lines,
        ["characters"] = t.Characters,
        ["against"] = t.AgainstLabels ? "labels" : "reference",
        ["referenceAccuracy"] = t.ReferenceAccuracy,
        ["candidateAccuracy"] = t.CandidateAccuracy,
        ["referenceCer"] = t.ReferenceCer,
        ["candidateCer"] = t.CandidateCer,
        ["drop"] = t.Drop,
        ["agreement"] = t.Agreement,
        ["referenceLinesExact"] = t.ReferenceLines,
        ["candidateLinesExact"] = t.CandidateLines,
        ["outsideKeys"] = t.OutsideKeys,
    };

    private static JsonObject Latency(LatencyComparison l, VerificationResult r) => new()
    {
        ["threads"] = r.Threads,
        ["pairs"] = l.Pairs,
        ["runsPerSample"] = l.RunsPerSample,
        ["seconds"] = l.Seconds,
        ["reachedTimeCap"] = l.ReachedTimeCap,
        ["maxSeconds"] = r.LatencyOptions.MaxTime.TotalSeconds,
        ["targetRelativeWidth"] = r.LatencyOptions.TargetRelativeWidth,
        ["reference"] = Stats(l.Reference),
        ["candidate"] = Stats(l.Candidate),
        ["speedup"] = new JsonObject
        {
            ["ratio"] = l.Speedup.Ratio,
            ["low"] = l.Speedup.Low,
            ["high"] = l.Speedup.High,
            ["confidenceLevel"] = l.Speedup.ConfidenceLevel,
        },
    };

    private static JsonObject Stats(LatencyStatistics s) => new()
    {
        ["samples"] = s.Samples,
        ["medianMs"] = s.MedianMs,
        ["p90Ms"] = s.P90Ms,
        ["p99Ms"] = s.P99Ms,
        ["meanMs"] = s.MeanMs,
        ["minMs"] = s.MinMs,
        ["maxMs"] = s.MaxMs,
    };

    private static JsonObject Size(ModelSize s) => new()
    {
        ["bytes"] = s.Bytes,
        ["zipBytes"] = s.ZipBytes,
        ["files"] = new JsonArray(s.Files.Select(f => (JsonNode?)f).ToArray()),
    };

    private static JsonObject Check(BudgetCheck c) => new()
    {
        ["name"] = c.Name,
        ["kind"] = c.Kind.ToString().ToLowerInvariant(),
        ["code"] = c.Code.Id,
        ["status"] = c.Status switch { BudgetStatus.Passed => "passed", BudgetStatus.Failed => "failed", _ => "not-enforced" },
        ["measured"] = Finite(c.Measured),
        ["budget"] = Finite(c.Budget),
        ["reference"] = c.Reference is { } v ? Finite(v) : null,
        ["unit"] = c.Unit,
        ["message"] = c.Message,
    };

    private static JsonValue? Finite(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    private static string ReadSchema()
    {
        using var stream = typeof(JsonReport).Assembly.GetManifestResourceStream(SchemaFileName)
            ?? throw new InvalidOperationException($"{SchemaFileName} is not embedded in the engine.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

}
