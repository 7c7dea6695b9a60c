using System.Reflection;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization.Fusion;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Verification;

/// <summary>
/// The gate: runs a candidate and its reference on the same data, measures fidelity, accuracy, latency (A/B
/// interleaved) and size, holds them against the budgets and the baseline, and returns the verdict. Bad input
/// throws a CB2xxx <see cref="CompressBuildException"/>; a missed budget is a result, not an exception.
/// </summary>
public static class Verifier
{
    public static string ToolVersion { get; } = ReadToolVersion();

    public static VerificationResult Run(VerificationRequest request)
    {
        request.Budgets.Validate();
        AtLeast(request.Batch, 1, "batch");
        AtLeast(request.TopK, 1, "top_k");
        AtLeast(request.Limit ?? 1, 1, "limit");
        AtLeast(request.Threads, 0, "threads");
        AtLeast(request.LatencySamples, 1, "latency samples");

        if (request.UpdateBaseline && request.Baseline is null)
        {
            throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, "updating a baseline needs the baseline file to write: set baseline in compress.yaml, or give verify --baseline <file>.");
        }

        var ctcMetric = request.Metric == AccuracyMetric.Ctc;
        if (request.Budgets.MaxAccuracyDrop is not null && request.Labels is null && !ctcMetric)
        {
            throw new CompressBuildException(DiagnosticCodes.LabelsRequired, "an accuracy budget (max_accuracy_drop) needs class labels: give the " +
                "evaluation's labels (.npy or text, one label per sample).", request.Data);
        }

        IReadOnlyList<string>? keys = null;
        if (ctcMetric)
        {
            keys = CtcGreedyDecoder.ReadKeys(request.Keys ?? throw new CompressBuildException(DiagnosticCodes.CtcKeysInvalid,
                "the ctc metric decodes text with the recognizer's character list: set evaluation.keys to its keys file, one character per line."));
        }

        // Our reader first: a corrupt or hostile file gets its CB2xxx error before the runtime sees it.
        var referenceModel = OnnxModelReader.Load(request.Reference);
        var candidateModel = OnnxModelReader.Load(request.Candidate);
        var baseline = request.Baseline is null ? null : BaselineFile.TryLoad(request.Baseline);

        var settings = new SessionSettings { IntraOpThreads = request.Threads };
        using var reference = ModelSessions.Open(request.Reference, settings);
        using var candidate = ModelSessions.Open(request.Candidate, settings);
        var data = OpenData(request.Data, reference, "reference", request.Reference);
        _ = OpenData(request.Data, candidate, "candidate", request.Candidate);

        long[]? labels = null;
        IReadOnlyList<string>? truth = null;
        if (request.Labels is { } labelsPath && ctcMetric)
        {
            truth = TextLabels.Load(labelsPath);
            TextLabels.CheckCount(truth, data.Count, labelsPath, request.Data);
        }
        else if (request.Labels is { } classLabelsPath)
        {
            labels = Labels.Load(classLabelsPath);
            Labels.CheckCount(labels, data.Count, classLabelsPath, request.Data);
        }

        if (request.Limit is { } limit && limit < data.Count)
        {
            data = data.Take(limit);
            labels = labels?[..limit];
            truth = truth?.Take(limit).ToList();
        }

        var ctc = keys is null ? null : CtcScoring.Find(reference.Outputs, keys, request.Keys, truth);
        var batched = DatasetBatching.Batch(data, request.Batch, reference.Inputs, request.Data);
        var metrics = ModelComparison.Run(reference, candidate, batched, labels, request.TopK, ctc);
        var advisories = new List<Advisory>();
        CtcAdvisories(request, metrics, advisories);
        if (labels is not null && metrics.Labelled is null && request.Budgets.MaxAccuracyDrop is null)
        {
            advisories.Add(new Advisory(DiagnosticCodes.NoClassificationOutput, "labels were given but the model has no classification output " +
                "(class scores of shape [C] or [N,C]): accuracy was not measured."));
        }

        LatencyComparison? latency = null;
        if (request.MeasureLatency || request.Budgets.NeedsLatency || baseline is not null || request.UpdateBaseline)
        {
            var samples = Enumerable.Range(0, Math.Min(request.LatencySamples, batched.Count)).Select(batched.Sample).ToList();
            latency = InterleavedLatency.Measure(reference, candidate, samples, request.Latency);
            if (latency.Speedup.RelativeWidth > request.Latency.TargetRelativeWidth)
            {
                advisories.Add(new Advisory(DiagnosticCodes.SpeedupIntervalWide,
                    $"the speedup interval {BudgetFormat.Interval(latency.Speedup.Low, latency.Speedup.High)} is " +
                        $"{BudgetFormat.Percent(latency.Speedup.RelativeWidth)} wide, above the " +
                        $"{BudgetFormat.Level(request.Latency.TargetRelativeWidth)} target, when sampling stopped after {latency.Pairs} pairs in " +
                        $"{latency.Seconds:0.0} s: the machine is noisy; speedup budgets are judged on the whole interval, so they can only pass. " +
                        $"Raise the latency sampling time (max_time) for a firmer figure."));
            }
        }

        var fusion = request.Fusion ?? AnalyzeFusion(candidateModel, request.Candidate, settings, advisories);
        var machine = MachineProbe.Current;
        var referenceSize = ModelSizeMeter.Measure(referenceModel, request.Reference);
        var candidateSize = ModelSizeMeter.Measure(candidateModel, request.Candidate);
        var name = request.ModelName ?? Path.GetFileName(request.Candidate);
        var checks = new List<BudgetCheck>(BudgetEvaluator.Evaluate(request.Budgets, metrics, latency, referenceSize, candidateSize, machine, advisories));

        if (baseline is null && request.Baseline is not null && !request.UpdateBaseline)
        {
            advisories.Add(new Advisory(DiagnosticCodes.BaselineNotFound, $"baseline file '{request.Baseline}' not found: nothing to compare " +
                $"against. Record one with --update-baseline and commit it."));
        }
        else if (baseline is not null && !request.UpdateBaseline)
        {
            if (baseline.Models.TryGetValue(name, out var entry))
            {
                checks.AddRange(BaselineComparer.Compare(entry, request.Budgets.Tolerances, metrics, latency, candidateSize, machine, advisories));
            }
            else
            {
                advisories.Add(new Advisory(DiagnosticCodes.BaselineNotFound, $"baseline file '{request.Baseline}' has no entry for '{name}' (it " +
                    $"has {(baseline.Models.Count == 0 ? "none" : string.Join(", ", baseline.Models.Keys))}): nothing to compare against. Record it " +
                    $"with --update-baseline."));
            }
        }

        if (request.Release is { } release && release.Document.Models.TryGetValue(name, out var released))
        {
            // Same tolerances as the committed baseline; the message says which release it was.
            checks.AddRange(BaselineComparer.Compare(released, request.Budgets.Tolerances, metrics, latency, candidateSize, machine, advisories, "release")
                .Select(c => c with { Message = $"against release {release.Label}: {c.Message}" }));
        }

        // "1.31.1 (cpu)": reports, baselines and JUnit properties say where the latency was measured.
        var result = new VerificationResult(name, request.Candidate, request.Reference, request.Data, request.Labels, data.Count, request.Batch, metrics, latency, request.Latency,
            request.Threads, referenceSize, candidateSize, machine, ToolVersion, InferenceSession.RuntimeDescription, checks, advisories, request.Baseline, false, request.LayerSensitivity)
        {
            Fusion = fusion,
            Metric = request.Metric,
            Keys = ctcMetric ? request.Keys : null,
        };
        return request.UpdateBaseline ? BaselineRecorder.Update(result, request.Baseline!) : result;
    }

    /// <summary>
    /// The candidate's fusion report (Verification runs after the passes in the data flow, so it may read their analyzer). The
    /// report only describes the candidate: when ONNX Runtime cannot write its optimized graph, verification goes on without it (CB4046).
    /// </summary>
    private static FusionReport? AnalyzeFusion(OnnxModel candidate, string path, SessionSettings settings, List<Advisory> advisories)
    {
        try
        {
            return FusionAnalyzer.AnalyzeCandidate(candidate, settings);
        }
        catch (CompressBuildException e)
        {
            advisories.Add(new Advisory(DiagnosticCodes.FusionReportUnavailable,
                $"no fusion report for {path}: ONNX Runtime's optimized graph could not be read ({e.Code.Id}: {e.Message}); the other metrics are unaffected."));
            return null;
        }
    }

    private static void CtcAdvisories(VerificationRequest request, ComparisonResult metrics, List<Advisory> advisories)
    {
        if (request.Metric != AccuracyMetric.Ctc && request.Keys is not null)
        {
            advisories.Add(new Advisory(DiagnosticCodes.CtcKeysIgnored, $"keys file '{request.Keys}' was not used: the metric is " +
                $"{AccuracyMetrics.NameOf(request.Metric)}; set evaluation.metric to ctc to score a text recognizer by its text."));
        }

        if (metrics.Text is { OutsideKeys.Length: > 0 } text)
        {
            advisories.Add(new Advisory(DiagnosticCodes.TruthOutsideKeys, $"the text labels '{request.Labels}' hold {text.OutsideKeys.Length} character(s) the keys " +
                $"file '{request.Keys}' lacks ({Quote(text.OutsideKeys)}): neither model can output them, so they count as errors for both; check that the " +
                $"keys are the recognizer's and the labels its language."));
        }
    }

    private static string Quote(string characters) =>
        string.Join(" ", characters.Take(10).Select(c => $"'{c}'")) + (characters.Length > 10 ? " ..." : "");

    /// <summary>Opens the data for one model; a mismatch says which of the two models the data does not fit.</summary>
    private static Dataset OpenData(string path, InferenceSession session, string role, string model)
    {
        try
        {
            return DatasetLoader.OpenNonEmpty(path, session.Inputs);
        }
        catch (CompressBuildException e) when (e.Code == DiagnosticCodes.DataDoesNotMatchModel)
        {
            throw new CompressBuildException(e.Code, $"{role} model {model}: {e.Message}", e.File, e.Line, e.Column, e);
        }
    }

    private static void AtLeast(int value, int least, string option)
    {
        if (value < least)
        {
            throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, $"{option} must be {least} or more, got {value}.");
        }
    }

    private static string ReadToolVersion()
    {
        var version = typeof(Verifier).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

        // The build appends "+<commit>": the baseline would then change on every commit.
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
