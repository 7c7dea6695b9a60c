using System.Globalization;
using System.Xml.Linq;
using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;

namespace CompressBuild.Engine.Reporting;

/// <summary>
/// A self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched): verdict, checks, metrics, the
/// latency distributions of both models, the speedup interval, size, machine, and per-layer sensitivity when the
/// pipeline measured it. Built as an XElement tree, so it is well-formed XHTML and every text is escaped.
/// </summary>
public static class HtmlReport
{
    private static readonly XNamespace Html = "http://www.w3.org/1999/xhtml";

    private const string Css = """
        body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #1b1f24; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #d0d7de; }
        .table-wrap { max-width: 100%; overflow-x: auto; } th, td { white-space: nowrap; } td:last-child { white-space: normal; overflow-wrap: anywhere; }
        table { border-collapse: collapse; margin: .5em 0; } th, td { padding: .25em .7em; border-bottom: 1px solid #eaeef2; text-align: right; }
        th:first-child, td:first-child { text-align: left; } th { background: #f6f8fa; }
        .passed { color: #1a7f37; font-weight: 600; } .failed { color: #cf222e; font-weight: 600; } .not-enforced { color: #9a6700; }
        .verdict { padding: .6em 1em; border-radius: 6px; } .verdict.passed { background: #dafbe1; } .verdict.failed { background: #ffebe9; }
        .advisory { background: #fff8c5; padding: .4em .8em; border-radius: 6px; margin: .4em 0; }
        code { background: #f6f8fa; padding: 0 .3em; border-radius: 4px; }
        svg .ref { fill: #0969da; fill-opacity: .45; } svg .cand { fill: #bf3989; fill-opacity: .45; }
        svg .ref-label { fill: #0969da; font-weight: 600; } svg .cand-label { fill: #bf3989; font-weight: 600; }
        svg .note { font-size: 11px; fill: #57606a; } svg .axis { stroke: #57606a; }
        svg .ci { stroke: #1b1f24; stroke-width: 3; } svg .estimate { fill: #bf3989; }
        svg .unity { stroke: #57606a; stroke-width: 2; } svg .budget { stroke: #cf222e; stroke-width: 2; }
        """;

    public static XDocument Build(VerificationResult r)
    {
        var body = new XElement(Html + "body",
            new XElement(Html + "h1", $"CompressBuild verify: {r.ModelName}"),
            new XElement(Html + "p", new XAttribute("class", "verdict " + (r.Passed ? "passed" : "failed")),
                r.Passed ? "Passed: every budget holds." : $"Failed: {r.Misses.Count()} budget(s) missed."),
            new XElement(Html + "p", "Candidate ", Code(r.Candidate), " against reference ", Code(r.Reference), $" on {r.Samples} samples of ", Code(r.Data), $" (batch {r.Batch})."));

        foreach (var a in r.Advisories)
        {
            body.Add(new XElement(Html + "p", new XAttribute("class", "advisory"), new XElement(Html + "strong", a.Code.Id + ": "), a.Message));
        }

        body.Add(new XElement(Html + "h2", "Checks"));
        body.Add(r.Checks.Count == 0
            ? new XElement(Html + "p", "No budgets were set.")
            : Table(["check", "result", "measured", "budget", "reference", "code", "detail"], r.Checks.Select(c => new object[]
            {
                c.Name,
                new XElement(Html + "span", new XAttribute("class", Status(c.Status)), Status(c.Status)),
                BudgetFormat.WithUnit(c.Measured, c.Unit),
                BudgetFormat.WithUnit(c.Budget, c.Unit),
                c.Reference is { } v ? BudgetFormat.WithUnit(v, c.Unit) : "-",
                c.Code.Id,
                c.Message,
            })));

        body.Add(new XElement(Html + "h2", "Outputs"));
        body.Add(Table(["output", "kind", "cosine", "min cosine", "MSE", "max abs error", "SQNR", "top-1 agreement", "top-1 reference", "top-1 candidate", "top-k reference", "top-k candidate"],
            r.Metrics.Outputs.Select(o => new object[]
            {
                o.Name,
                o.IsClassification ? "classification" : "regression",
                BudgetFormat.Number(o.Cosine),
                BudgetFormat.Number(o.MinCosine),
                o.Mse.ToString("0.###e+0", CultureInfo.InvariantCulture),
                o.MaxAbsError.ToString("0.###e+0", CultureInfo.InvariantCulture),
                BudgetFormat.Db(o.SqnrDb),
                o.Top1Agreement is { } g ? BudgetFormat.Percent(g) : "-",
                o.Accuracy is { } a ? BudgetFormat.Percent(a.ReferenceTop1) : "-",
                o.Accuracy is { } b ? BudgetFormat.Percent(b.CandidateTop1) : "-",
                o.Accuracy is { } c ? $"{BudgetFormat.Percent(c.ReferenceTopK)} (k={c.K})" : "-",
                o.Accuracy is { } d ? BudgetFormat.Percent(d.CandidateTopK) : "-",
            })));

        if (r.Metrics.Text is { } text)
        {
            body.Add(new XElement(Html + "h2", "Text"));
            body.Add(new XElement(Html + "p", TextAccuracySummary.Line(text, r.Keys) + "."));
            body.Add(Table([.. TextAccuracySummary.Columns], TextAccuracySummary.Rows(text).Select(row => row.Cast<object>().ToArray())));
            body.Add(new XElement(Html + "p", TextAccuracySummary.Drop(text) + "."));
        }

        if (r.Latency is { } l)
        {
            body.Add(new XElement(Html + "h2", "Latency"));
            body.Add(new XElement(Html + "p",
                string.Create(CultureInfo.InvariantCulture, $"{l.Pairs} interleaved A/B " +
                    $"pairs{(l.RunsPerSample > 1 ? $" (each sample the mean of {l.RunsPerSample} back-to-back runs)" : "")} in {l.Seconds:0.00} " +
                    $"s{(l.ReachedTimeCap ? " (stopped at the time cap)" : "")}, " +
                    $"{(r.Threads == 0 ? "default" : r.Threads.ToString(CultureInfo.InvariantCulture))} intra-op thread(s). Speedup " +
                    $"{BudgetFormat.Ratio(l.Speedup.Ratio)}, {BudgetFormat.Level(l.Speedup.ConfidenceLevel)} bootstrap interval " +
                    $"{BudgetFormat.Interval(l.Speedup.Low, l.Speedup.High)}.")));
            body.Add(Table(["model", "median", "p90", "p99", "mean", "min", "max"], new[] { ("reference", l.Reference), ("candidate", l.Candidate) }.Select(x => new object[]
            {
                x.Item1, BudgetFormat.Ms(x.Item2.MedianMs), BudgetFormat.Ms(x.Item2.P90Ms), BudgetFormat.Ms(x.Item2.P99Ms),
                BudgetFormat.Ms(x.Item2.MeanMs), BudgetFormat.Ms(x.Item2.MinMs), BudgetFormat.Ms(x.Item2.MaxMs),
            })));
            body.Add(new XElement(Html + "figure", SvgCharts.LatencyHistogram(l.ReferenceMs, l.CandidateMs, Math.Max(l.Reference.P99Ms, l.Candidate.P99Ms))));
            var budget = r.Checks.FirstOrDefault(c => c.Name == "min-speedup")?.Budget;
            body.Add(new XElement(Html + "figure", SvgCharts.SpeedupInterval(l.Speedup.Ratio, l.Speedup.Low, l.Speedup.High, budget)));
        }

        body.Add(new XElement(Html + "h2", "Size"));
        body.Add(Table(["model", "bytes (with external data)", "zipped", "files"], new[] { ("reference", r.ReferenceSize), ("candidate", r.CandidateSize) }.Select(x => new object[]
        {
            x.Item1, x.Item2.Bytes.ToString("N0", CultureInfo.InvariantCulture), x.Item2.ZipBytes.ToString("N0", CultureInfo.InvariantCulture), string.Join(", ", x.Item2.Files),
        })));
        body.Add(new XElement(Html + "p", $"The candidate is {BudgetFormat.SizeChange(r.SizeRatio)}."));

        if (r.Fusion is { } fusion)
        {
            body.Add(new XElement(Html + "h2", "Fusion"));
            body.Add(new XElement(Html + "p", FusionSummary.Line(fusion) + "."));
            body.Add(Table(["runs as", "op type", "nodes"], FusionSummary.Rows(fusion).Select(row => new object[] { row.RunsAs, row.OpType, row.Count.ToString(CultureInfo.InvariantCulture) })));
            if (fusion.Unfused.Count > 0)
            {
                body.Add(Table(["quantized node left float", "op type", "why"], fusion.Unfused.Select(u => new object[] { u.Node, u.OpType, u.Reason })));
            }
        }

        if (r.LayerSensitivity.Count > 0)
        {
            body.Add(new XElement(Html + "h2", "Per-layer sensitivity"));
            var rows = r.LayerSensitivity.Select(s => ($"{s.Layer} ({s.Metric})", s.Value)).ToList();
            body.Add(new XElement(Html + "figure", SvgCharts.Bars(rows, "Per-layer sensitivity")));
        }

        body.Add(new XElement(Html + "h2", "Machine"));
        body.Add(new XElement(Html + "p",
            "Machine ", Code(r.Machine.Id), $": {r.Machine.CpuModel}, {r.Machine.Cores} cores, " +
                $"{r.Machine.OperatingSystem}/{r.Machine.Architecture}; instruction sets: {string.Join(" ", r.Machine.IsaFlags)}. CompressBuild " +
                $"{r.ToolVersion}, ONNX Runtime {r.RuntimeVersion}."));

        return new XDocument(
            new XElement(Html + "html", new XAttribute(XNamespace.Xml + "lang", "en"), new XAttribute("lang", "en"),
                new XElement(Html + "head",
                    new XElement(Html + "meta", new XAttribute("charset", "utf-8")),
                    new XElement(Html + "title", $"CompressBuild verify: {r.ModelName} {(r.Passed ? "passed" : "failed")}"),
                    new XElement(Html + "style", Css)),
                body));
    }

    /// <summary>The page with the HTML5 doctype (XDocumentType would write "&lt;!DOCTYPE html &gt;").</summary>
    public static string Render(VerificationResult r) => "<!DOCTYPE html>\n" + Build(r).Root!.ToString() + "\n";

    private static string Status(BudgetStatus status) => status switch
    {
        BudgetStatus.Passed => "passed",
        BudgetStatus.Failed => "failed",
        _ => "not-enforced",
    };

    private static XElement Code(string text) => new(Html + "code", text);

    /// <summary>A table in a box that scrolls sideways, so a wide table never pushes the page past the window.</summary>
    private static XElement Table(string[] headers, IEnumerable<object[]> rows) => new(Html + "div", new XAttribute("class", "table-wrap"), new XElement(Html + "table",
        new XElement(Html + "thead", new XElement(Html + "tr", headers.Select(h => new XElement(Html + "th", h)))),
        new XElement(Html + "tbody", rows.Select(row => new XElement(Html + "tr", row.Select(cell => new XElement(Html + "td", cell)))))));
}
