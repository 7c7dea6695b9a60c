using System.Globalization;
using System.Text;
using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;

namespace CompressBuild.Engine.Reporting;

/// <summary>
/// A pull-request summary: the verdict, one row per check with pass / fail marks, then the metrics, latency and
/// size tables. GitHub-flavoured Markdown; cell text is escaped so a name with '|' cannot break a table.
/// </summary>
public static class MarkdownSummary
{
    public static string Render(VerificationResult r)
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"### {(r.Passed ? "✅" : "❌")} CompressBuild verify: `{Cell(r.ModelName)}` {(r.Passed ? "passed" : "failed")}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Candidate `{Cell(r.Candidate)}` against reference `{Cell(r.Reference)}` on {r.Samples} samples of `{Cell(r.Data)}` (batch {r.Batch}).\n\n");

        if (r.Checks.Count > 0)
        {
            md.Append("| check | result | measured | budget | reference | code |\n| --- | :---: | ---: | ---: | ---: | --- |\n");
            foreach (var c in r.Checks)
            {
                var mark = c.Status switch { BudgetStatus.Passed => "✅ pass", BudgetStatus.Failed => "❌ fail", _ => "⚠️ not enforced" };
                md.Append(CultureInfo.InvariantCulture, $"| {Cell(c.Name)} | {mark} | {BudgetFormat.WithUnit(c.Measured, c.Unit)} | " +
                    $"{BudgetFormat.WithUnit(c.Budget, c.Unit)} | {(c.Reference is { } v ? BudgetFormat.WithUnit(v, c.Unit) : "-")} | {c.Code.Id} |\n");
            }

            md.Append('\n');
        }
        else
        {
            md.Append("No budgets were set: the figures below are for information.\n\n");
        }

        md.Append("| output | kind | cosine | SQNR | max abs error | top-1 agreement | top-1 ref → cand |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var o in r.Metrics.Outputs)
        {
            var accuracy = o.Accuracy is { } a ? $"{BudgetFormat.Percent(a.ReferenceTop1)} → {BudgetFormat.Percent(a.CandidateTop1)}" : "-";
            md.Append(CultureInfo.InvariantCulture,
                $"| {Cell(o.Name)} | {(o.IsClassification ? "classification" : "regression")} | {BudgetFormat.Number(o.Cosine)} | " +
                    $"{BudgetFormat.Db(o.SqnrDb)} | {o.MaxAbsError:0.###e+0} | {(o.Top1Agreement is { } g ? BudgetFormat.Percent(g) : "-")} | {accuracy} |\n");
        }

        md.Append('\n');
        if (r.Metrics.Text is { } text)
        {
            md.Append(CultureInfo.InvariantCulture, $"Text: {Cell(TextAccuracySummary.Line(text, r.Keys))}.\n\n| {string.Join(" | ", TextAccuracySummary.Columns)} |\n| --- | ---: | ---: | ---: |\n");
            foreach (var row in TextAccuracySummary.Rows(text))
            {
                md.Append(CultureInfo.InvariantCulture, $"| {string.Join(" | ", row)} |\n");
            }

            md.Append(CultureInfo.InvariantCulture, $"\n{char.ToUpperInvariant(TextAccuracySummary.Drop(text)[0])}{TextAccuracySummary.Drop(text)[1..]}.\n\n");
        }

        if (r.Latency is { } l)
        {
            md.Append("| latency | median | p90 | p99 |\n| --- | ---: | ---: | ---: |\n");
            md.Append(CultureInfo.InvariantCulture, $"| reference | {BudgetFormat.Ms(l.Reference.MedianMs)} | {BudgetFormat.Ms(l.Reference.P90Ms)} | {BudgetFormat.Ms(l.Reference.P99Ms)} |\n");
            md.Append(CultureInfo.InvariantCulture, $"| candidate | {BudgetFormat.Ms(l.Candidate.MedianMs)} | {BudgetFormat.Ms(l.Candidate.P90Ms)} | {BudgetFormat.Ms(l.Candidate.P99Ms)} |\n\n");
            md.Append(CultureInfo.InvariantCulture, $"Speedup **{BudgetFormat.Ratio(l.Speedup.Ratio)}**, " +
                $"{BudgetFormat.Level(l.Speedup.ConfidenceLevel)} interval {BudgetFormat.Interval(l.Speedup.Low, l.Speedup.High)}, {l.Pairs} A/B " +
                $"pairs{(l.RunsPerSample > 1 ? $" of {l.RunsPerSample} runs each" : "")} in {l.Seconds:0.0} s, " +
                $"{(r.Threads == 0 ? "default" : r.Threads.ToString(CultureInfo.InvariantCulture))} intra-op thread(s).\n\n");
        }

        if (r.Fusion is { } fusion)
        {
            md.Append(CultureInfo.InvariantCulture, $"Fusion: {FusionSummary.Line(fusion)}.\n\n| runs as | op type | nodes |\n| --- | --- | ---: |\n");
            foreach (var (runsAs, opType, count) in FusionSummary.Rows(fusion))
            {
                md.Append(CultureInfo.InvariantCulture, $"| {runsAs} | {Cell(opType)} | {count} |\n");
            }

            md.Append('\n');
        }

        md.Append(CultureInfo.InvariantCulture,
            $"Size: {r.CandidateSize.Bytes:N0} bytes ({r.CandidateSize.ZipBytes:N0} zipped) vs reference {r.ReferenceSize.Bytes:N0} " +
                $"({r.ReferenceSize.ZipBytes:N0} zipped): {BudgetFormat.SizeChange(r.SizeRatio)}.\n\n");
        md.Append(CultureInfo.InvariantCulture,
            $"Machine `{r.Machine.Id}`: {Cell(r.Machine.CpuModel)}, {r.Machine.Cores} cores, {r.Machine.OperatingSystem}/{r.Machine.Architecture}, " +
                $"{string.Join(" ", r.Machine.IsaFlags)}; CompressBuild {r.ToolVersion}, ONNX Runtime {r.RuntimeVersion}.\n");
        foreach (var a in r.Advisories)
        {
            md.Append(CultureInfo.InvariantCulture, $"\n> ⚠️ **{a.Code.Id}**: {Cell(a.Message)}\n");
        }

        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
