using System.CommandLine;
using System.Globalization;
using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Choices;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Reporting;
using CompressBuild.Tool.Rendering;

namespace CompressBuild.Tool.Commands;

/// <summary>
/// <c>dotnet compress verify</c>: the gate. Compares a candidate with its reference on real data, holds the
/// figures against budgets and a baseline, writes reports, and exits 2 with one line per miss.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CliContext context)
    {
        var candidate = new Argument<string>("candidate") { Description = "The compressed .onnx model to verify." };
        var reference = new Option<string>("--reference") { HelpName = "MODEL", Description = "The original .onnx model to compare against.", Required = true };
        var data = new Option<string>("--data")
        {
            HelpName = "PATH",
            Description = "Evaluation inputs: .npy (single input, stacked on the first axis), .npz, a folder of <input>.npy, or test_data_set_N folders.",
            Required = true,
        };
        var labels = new Option<string?>("--labels")
        {
            HelpName = "PATH",
            Description = "Class labels, one per sample: integer .npy or a text file with one per line; with --metric ctc, the ground-truth text, one line per sample.",
        };
        var metric = new Option<string>("--metric") { HelpName = "NAME", Description = EvaluationKey("metric"), DefaultValueFactory = _ => AccuracyMetrics.NameOf(AccuracyMetric.Top1) };
        metric.AcceptOnlyFromAmong([.. AccuracyMetrics.All.Names]);
        var keys = new Option<string?>("--keys") { HelpName = "FILE", Description = EvaluationKey("keys") };
        var limit = new Option<int?>("--limit") { HelpName = "N", Description = "Use only the first N samples." };
        var batch = new Option<int>("--batch") { HelpName = "N", Description = "Samples per inference (needs a symbolic first input dimension).", DefaultValueFactory = _ => 1 };
        var topK = new Option<int>("--top-k") { HelpName = "K", Description = "K of the top-k accuracy.", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { HelpName = "N", Description = "Intra-op threads of both sessions (0 = ONNX Runtime's default).", DefaultValueFactory = _ => 1 };
        var budgets = new BudgetArguments();
        var baseline = new Option<string?>("--baseline") { HelpName = "FILE", Description = "Baseline file (e.g. compress.baseline.json): the run may not be worse than the recorded metrics." };
        var updateBaseline = new Option<bool>("--update-baseline") { Description = "Record this run's metrics in --baseline (only when every budget holds)." };
        var name = new Option<string?>("--name") { HelpName = "NAME", Description = "The model's key in the baseline and the reports (default: the candidate's file name)." };
        var latencyArguments = new LatencyArguments();
        var noLatency = new Option<bool>("--no-latency") { Description = "Skip latency unless a latency budget or a baseline needs it." };
        var reportDir = new Option<string?>("--report-dir") { HelpName = "DIR", Description = "Write <model>.verify.json/.md/.html/.junit.xml here." };
        var json = new Option<bool>("--json") { Description = "Write the report as JSON to stdout." };
        var command = new Command("verify", "Verify a compressed model against its reference: accuracy, agreement, cosine, SQNR, A/B latency and size, against budgets and a baseline.")
        {
            candidate, reference, data, labels, metric, keys, limit, batch, topK, threads,
            baseline, updateBaseline, name, noLatency, reportDir, json,
        };
        budgets.AddTo(command);
        latencyArguments.AddTo(command);
        command.SetAction(parse =>
        {
            var request = new VerificationRequest(parse.GetRequiredValue(candidate), parse.GetRequiredValue(reference), parse.GetRequiredValue(data))
            {
                Labels = parse.GetValue(labels),
                Metric = AccuracyMetrics.All.ValueOf(parse.GetValue(metric), AccuracyMetric.Top1),
                Keys = parse.GetValue(keys),
                Limit = parse.GetValue(limit),
                Batch = parse.GetValue(batch),
                TopK = parse.GetValue(topK),
                Threads = parse.GetValue(threads),
                Budgets = budgets.Read(parse),
                Baseline = parse.GetValue(baseline),
                UpdateBaseline = parse.GetValue(updateBaseline),
                ModelName = parse.GetValue(name),
                MeasureLatency = !parse.GetValue(noLatency),
                Latency = latencyArguments.Read(parse),
            };
            return Run(context, new VerifyOptions(request, parse.GetValue(reportDir), parse.GetValue(json)));
        });
        return command;
    }

    /// <summary>An option's description is its compress.yaml key's: one wording on both surfaces.</summary>
    private static string EvaluationKey(string key) => CompressConfigSchema.Evaluation.Keys.First(k => k.Name == key).Description;

    public static int Run(CliContext context, VerifyOptions options)
    {
        var result = Verifier.Run(options.Request);
        var reports = options.ReportDir is { } dir ? ReportWriter.WriteAll(result, dir) : [];

        foreach (var advisory in result.Advisories)
        {
            context.Error.WriteLine(new CompressBuildException(advisory.Code, advisory.Message, result.Candidate).ToCanonicalString());
        }

        foreach (var miss in result.Misses)
        {
            context.Error.WriteLine(new CompressBuildException(miss.Code, miss.Message, result.Candidate).ToCanonicalString());
        }

        if (options.Json)
        {
            context.Out.WriteLine(JsonReport.Serialize(result));
        }
        else
        {
            WriteText(context.Out, result, reports);
        }

        return result.Passed ? ExitCodes.Ok : ExitCodes.BudgetMissed;
    }

    private static void WriteText(TextWriter o, VerificationResult r, IReadOnlyList<string> reports)
    {
        o.WriteLine($"Verify      {r.Candidate} against {r.Reference}");
        o.WriteLine($"Data        {r.Data}: {r.Samples} samples, batch {r.Batch}{(r.Labels is null ? ", no labels" : $", labels {r.Labels}")}");
        o.WriteLine("Outputs");
        var outputs = new TextTable("output", "kind", "cosine", "SQNR", "max abs error", "agreement", "top-1 ref", "top-1 cand");
        foreach (var m in r.Metrics.Outputs)
        {
            outputs.Add(m.Name, m.IsClassification ? "classification" : "regression", BudgetFormat.Number(m.Cosine), BudgetFormat.Db(m.SqnrDb),
                m.MaxAbsError.ToString("0.###e+0", CultureInfo.InvariantCulture), m.Top1Agreement is { } g ? Units.Percent(g) : "-",
                m.Accuracy is { } a ? Units.Percent(a.ReferenceTop1) : "-", m.Accuracy is { } b ? Units.Percent(b.CandidateTop1) : "-");
        }

        outputs.WriteTo(o);
        if (r.Metrics.Text is { } text)
        {
            TextAccuracyText.Write(o, text, r.Keys);
        }

        if (r.Latency is { } l)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Latency     {l.Pairs} interleaved A/B " +
                    $"pairs{(l.RunsPerSample > 1 ? $" (each sample the mean of {l.RunsPerSample} back-to-back runs)" : "")} in {l.Seconds:0.0} " +
                    $"s{(l.ReachedTimeCap ? " (time cap)" : "")}, {(r.Threads == 0 ? "default" : r.Threads.ToString(CultureInfo.InvariantCulture))} " +
                    $"intra-op thread(s)"));
            new TextTable("model", "median", "p90", "p99")
                .Add("reference", Units.Ms(l.Reference.MedianMs), Units.Ms(l.Reference.P90Ms), Units.Ms(l.Reference.P99Ms))
                .Add("candidate", Units.Ms(l.Candidate.MedianMs), Units.Ms(l.Candidate.P90Ms), Units.Ms(l.Candidate.P99Ms))
                .WriteTo(o);
            o.WriteLine($"Speedup     {BudgetFormat.Ratio(l.Speedup.Ratio)}, {BudgetFormat.Level(l.Speedup.ConfidenceLevel)} interval {BudgetFormat.Interval(l.Speedup.Low, l.Speedup.High)}");
        }

        if (r.Fusion is { } fusion)
        {
            FusionText.Write(o, fusion);
        }

        o.WriteLine($"Size        {Units.Bytes(r.CandidateSize.Bytes)} ({Units.Bytes(r.CandidateSize.ZipBytes)} zipped) vs reference " +
            $"{Units.Bytes(r.ReferenceSize.Bytes)} ({Units.Bytes(r.ReferenceSize.ZipBytes)} zipped): {BudgetFormat.SizeChange(r.SizeRatio)}");
        o.WriteLine($"Machine     {r.Machine.Id}: {r.Machine.CpuModel}, {r.Machine.Cores} cores, {r.Machine.OperatingSystem}/{r.Machine.Architecture}, {string.Join(" ", r.Machine.IsaFlags)}");
        if (r.Checks.Count > 0)
        {
            o.WriteLine("Checks");
            var checks = new TextTable("check", "result", "measured", "budget", "reference");
            foreach (var c in r.Checks)
            {
                checks.Add(c.Name, c.Status switch { BudgetStatus.Passed => "pass", BudgetStatus.Failed => "FAIL", _ => "not enforced" },
                    BudgetFormat.WithUnit(c.Measured, c.Unit), BudgetFormat.WithUnit(c.Budget, c.Unit), c.Reference is { } v ? BudgetFormat.WithUnit(v, c.Unit) : "-");
            }

            checks.WriteTo(o);
        }

        if (r.BaselineUpdated)
        {
            o.WriteLine($"Baseline    recorded '{r.ModelName}' in {r.BaselinePath}");
        }
        else if (r.BaselinePath is not null && r.Checks.Any(c => c.Name.StartsWith("baseline.", StringComparison.Ordinal)))
        {
            o.WriteLine($"Baseline    compared with {r.BaselinePath}");
        }

        foreach (var report in reports)
        {
            o.WriteLine($"Report      {report}");
        }

        var misses = r.Misses.Count();
        o.WriteLine(r.Passed ? "Result      passed" : $"Result      FAILED: {misses} budget(s) missed");
    }
}
