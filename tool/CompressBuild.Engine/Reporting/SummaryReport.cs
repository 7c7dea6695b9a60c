using System.Globalization;
using System.Text;
using System.Xml.Linq;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;

namespace CompressBuild.Engine.Reporting;

/// <summary>
/// One Markdown table and one JUnit file for several verified models (a pipeline run over a project's models):
/// a row per model for the pull-request summary, a test suite per model for CI.
/// </summary>
public static class SummaryReport
{
    public static string Markdown(IReadOnlyList<VerificationResult> results)
    {
        var md = new StringBuilder();
        var failed = results.Count(r => !r.Passed);
        md.Append(CultureInfo.InvariantCulture, $"### {(failed == 0 ? "✅" : "❌")} CompressBuild: {results.Count - failed} of {results.Count} model(s) passed\n\n");
        md.Append("| model | result | size | smaller | speedup | top-1 ref → cand | min cosine | misses |\n| --- | :---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        foreach (var r in results)
        {
            var accuracy = r.Metrics.Labelled?.Accuracy is { } a ? $"{BudgetFormat.Percent(a.ReferenceTop1)} → {BudgetFormat.Percent(a.CandidateTop1)}" : "-";
            var speedup = r.Latency is { } l ? $"{BudgetFormat.Ratio(l.Speedup.Ratio)} {BudgetFormat.Interval(l.Speedup.Low, l.Speedup.High)}" : "-";
            var cosine = r.Metrics.Outputs.Count > 0 ? BudgetFormat.Number(r.Metrics.Outputs.Min(o => o.Cosine)) : "-";
            var misses = r.Passed ? "" : string.Join(", ", r.Misses.Select(m => $"{m.Code.Id} {m.Name}"));
            md.Append(CultureInfo.InvariantCulture,
                $"| {r.ModelName.Replace("|", "\\|", StringComparison.Ordinal)} | {(r.Passed ? "✅" : "❌")} | {r.CandidateSize.Bytes:N0} B | " +
                    $"{BudgetFormat.Ratio(r.SizeRatio)} | {speedup} | {accuracy} | {cosine} | {misses} |\n");
        }

        return md.ToString();
    }

    public static XDocument Junit(IReadOnlyList<VerificationResult> results)
    {
        var suites = results.Select(r => JunitReport.Build(r).Root!.Element("testsuite")!).ToList();
        var checks = results.Sum(r => r.Checks.Count);
        return new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement("testsuites",
                new XAttribute("name", "compressbuild.verify"),
                new XAttribute("tests", checks),
                new XAttribute("failures", results.Sum(r => r.Misses.Count())),
                suites));
    }

    /// <summary>Writes summary.verify.md and summary.verify.junit.xml into <paramref name="directory"/>.</summary>
    public static IReadOnlyList<string> WriteAll(IReadOnlyList<VerificationResult> results, string directory)
    {
        var markdown = Path.Combine(directory, "summary.verify.md");
        var junit = Path.Combine(directory, "summary.verify.junit.xml");
        TextFile.Write(markdown, Markdown(results));
        using var writer = new Utf8StringWriter();
        Junit(results).Save(writer);
        TextFile.Write(junit, writer + "\n");
        return [markdown, junit];
    }
}
