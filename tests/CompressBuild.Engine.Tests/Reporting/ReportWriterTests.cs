using System.Text.Json;
using System.Xml.Linq;
using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Reporting;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Reporting;

/// <summary>Every report format of a real verification (one missed budget, one passed, one not enforced), parsed back.</summary>
public sealed class ReportWriterTests : IDisposable
{
    private static readonly XNamespace Html = "http://www.w3.org/1999/xhtml";
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private readonly TempFolder temp = new();
    private readonly VerificationResult result;
    private readonly IReadOnlyList<string> files;

    public ReportWriterTests()
    {
        var candidate = PerturbedModels.Write(Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), 0.05, temp.File("mlp <int8>.onnx"));
        result = Verifier.Run(new VerificationRequest(candidate, Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), Path.Combine(RepositoryPaths.Digits, "test_x_flat.npy"))
        {
            Labels = Path.Combine(RepositoryPaths.Digits, "test_labels.npy"),
            Limit = 200,
            Budgets = new BudgetSet { MaxAccuracyDrop = 0.05, MinSqnrDb = 200, MaxLatencyMs = 100, LatencyMachine = "000000000000" },
            Latency = new LatencyOptions { MaxTime = TimeSpan.FromSeconds(0.2), MinTime = TimeSpan.FromSeconds(0.05), Warmup = 5 },
            LayerSensitivity = [new LayerSensitivity("fc1", "sqnr-db", 31.5), new LayerSensitivity("fc2 & <out>", "sqnr-db", 12.25)],
        });
        files = ReportWriter.WriteAll(result, temp.File("reports"));
    }

    public void Dispose() => temp.Dispose();

    private string Report(string suffix) => files.Single(f => f.EndsWith(suffix, StringComparison.Ordinal));

    [Fact]
    public void The_fixture_has_a_miss_a_pass_and_an_unenforced_check()
    {
        // The last is the default agreement floor every classifier output gets.
        Assert.Equal([BudgetStatus.Passed, BudgetStatus.Failed, BudgetStatus.NotEnforced, BudgetStatus.Passed], result.Checks.Select(c => c.Status));
        Assert.Equal("floor.min-agreement[logits]", result.Checks[^1].Name);
        Assert.Equal(["mlp__int8_.verify.json", "verify-report.schema.json", "mlp__int8_.verify.md", "mlp__int8_.verify.html", "mlp__int8_.verify.junit.xml"], files.Select(Path.GetFileName));
    }

    [Fact]
    public void Json_matches_its_schema_and_the_result()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Report("verify-report.schema.json")));
        using var report = JsonDocument.Parse(File.ReadAllText(Report(".verify.json")));
        var root = report.RootElement;

        Assert.Empty(SchemaValidator.Validate(schema.RootElement, root));
        Assert.Equal(JsonReport.SchemaVersion, root.GetProperty("schemaVersion").GetInt32());
        Assert.False(root.GetProperty("passed").GetBoolean());
        Assert.Equal(result.Checks.Select(c => c.Name), root.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal("failed", root.GetProperty("checks")[1].GetProperty("status").GetString());
        Assert.Equal("CB1006", root.GetProperty("checks")[1].GetProperty("code").GetString());
        Assert.Equal("fidelity", root.GetProperty("checks")[1].GetProperty("kind").GetString());
        var output = root.GetProperty("outputs")[0];
        Assert.Equal(result.Metrics.Outputs[0].SqnrDb, output.GetProperty("sqnrDb").GetDouble());
        Assert.Equal(result.Latency!.Speedup.High, root.GetProperty("latency").GetProperty("speedup").GetProperty("high").GetDouble());
        Assert.Equal(result.CandidateSize.ZipBytes, root.GetProperty("size").GetProperty("candidate").GetProperty("zipBytes").GetInt64());
        Assert.Equal(MachineProbe.Current.Id, root.GetProperty("machine").GetProperty("id").GetString());
        // CB4051 (a still-wide speedup interval) joins only on a busy machine, so the order is the result's, not fixed here.
        var advisories = root.GetProperty("advisories").EnumerateArray().Select(a => a.GetProperty("code").GetString()).ToList();
        Assert.Equal(result.Advisories.Select(a => a.Code.Id), advisories);
        Assert.Contains("CB4050", advisories);
    }

    [Fact]
    public void The_schema_accepts_non_finite_metrics_as_the_writers_spell_them_and_nothing_else()
    {
        using var schema = JsonDocument.Parse(JsonReport.Schema);
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Report(".verify.json")))!.AsObject();
        node["outputs"]![0]!["cosine"] = "NaN";
        node["outputs"]![0]!["sqnrDb"] = "-Infinity";
        using var nonFinite = JsonDocument.Parse(node.ToJsonString());
        node["outputs"]![0]!["cosine"] = "nan";
        using var misspelt = JsonDocument.Parse(node.ToJsonString());

        Assert.Empty(SchemaValidator.Validate(schema.RootElement, nonFinite.RootElement));
        Assert.Contains("$.outputs[0].cosine: \"nan\" does not match ^(NaN|-?Infinity)$", SchemaValidator.Validate(schema.RootElement, misspelt.RootElement));
    }

    [Fact]
    public void The_schema_documents_every_field_so_a_new_one_is_caught()
    {
        using var schema = JsonDocument.Parse(JsonReport.Schema);
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Report(".verify.json")))!.AsObject();
        node["surprise"] = 1;
        using var changed = JsonDocument.Parse(node.ToJsonString());

        Assert.Contains("$: 'surprise' is not documented in the schema", SchemaValidator.Validate(schema.RootElement, changed.RootElement));
    }

    [Fact]
    public void Junit_has_one_test_case_per_check_and_the_miss_as_a_failure()
    {
        var document = XDocument.Load(Report(".junit.xml"));
        var suite = document.Root!.Element("testsuite")!;
        var cases = suite.Elements("testcase").ToList();

        Assert.Equal(result.Checks.Select(c => c.Name), cases.Select(c => (string)c.Attribute("name")!));
        Assert.Equal("1", (string)suite.Attribute("failures")!);
        Assert.Equal("1", (string)suite.Attribute("skipped")!);
        var failure = cases[1].Element("failure")!;
        Assert.Equal("CB1006", (string)failure.Attribute("type")!);
        Assert.Contains("SQNR", (string)failure.Attribute("message")!, StringComparison.Ordinal);
        Assert.NotNull(cases[2].Element("skipped"));
        Assert.Null(cases[0].Element("failure"));
    }

    [Fact]
    public void Every_html_table_sits_in_a_box_that_scrolls_sideways_so_the_page_keeps_the_window_width()
    {
        var document = XDocument.Load(Report(".html"));

        var tables = document.Descendants(Html + "table").ToList();
        Assert.NotEmpty(tables);
        Assert.All(tables, t => Assert.Equal("table-wrap", (string?)t.Parent!.Attribute("class")));
        var css = document.Descendants(Html + "style").Single().Value;
        Assert.Contains(".table-wrap { max-width: 100%; overflow-x: auto; }", css, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_is_well_formed_self_contained_and_has_the_charts()
    {
        var text = File.ReadAllText(Report(".html"));
        var document = XDocument.Parse(text);
        var html = document.Root!;

        Assert.StartsWith("<!DOCTYPE html>\n<html ", text, StringComparison.Ordinal);
        Assert.Equal(Html + "html", html.Name);
        Assert.DoesNotContain(html.Descendants(), e => e.Name.LocalName is "script" or "link" or "img" or "iframe");
        Assert.DoesNotContain(html.Descendants().Attributes(), a => a.Name.LocalName is "src" or "href");
        var charts = html.Descendants(Svg + "svg").ToList();
        Assert.Equal(3, charts.Count);
        Assert.Contains(charts[0].Descendants(Svg + "rect"), r => (string?)r.Attribute("class") == "ref");
        Assert.Contains(charts[0].Descendants(Svg + "rect"), r => (string?)r.Attribute("class") == "cand");
        Assert.Contains(charts[2].Descendants(Svg + "text"), t => t.Value == "fc2 & <out> (sqnr-db)");
        var rows = html.Descendants(Html + "tbody").First().Elements(Html + "tr").ToList();
        Assert.Equal(result.Checks.Count, rows.Count);
        Assert.Equal("failed", rows[1].Elements(Html + "td").ElementAt(1).Value);
    }

    [Fact]
    public void The_summary_of_several_models_has_a_row_and_a_test_suite_per_model()
    {
        var passing = result with { ModelName = "ok.onnx", Checks = [.. result.Checks.Where(c => c.Status != BudgetStatus.Failed)] };

        var written = SummaryReport.WriteAll([result, passing], temp.File("summary"));
        var lines = File.ReadAllLines(written[0]);
        var junit = XDocument.Load(written[1]).Root!;

        Assert.StartsWith("### ❌ CompressBuild: 1 of 2 model(s) passed", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("| mlp <int8>.onnx | ❌ |", StringComparison.Ordinal) && l.Contains("CB1006 min-sqnr[logits]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("| ok.onnx | ✅ |", StringComparison.Ordinal));
        Assert.Equal(2, junit.Elements("testsuite").Count());
        Assert.Equal("1", (string)junit.Attribute("failures")!);
        Assert.Equal(result.Checks.Count + passing.Checks.Count, (int)junit.Attribute("tests")!);
    }

    [Fact]
    public void Markdown_has_a_row_with_a_mark_per_check()
    {
        var lines = File.ReadAllLines(Report(".md"));

        Assert.StartsWith("### ❌", lines[0], StringComparison.Ordinal);
        foreach (var check in result.Checks)
        {
            var row = Assert.Single(lines, l => l.StartsWith($"| {check.Name} |", StringComparison.Ordinal));
            Assert.Contains(check.Status switch { BudgetStatus.Passed => "✅ pass", BudgetStatus.Failed => "❌ fail", _ => "not enforced" }, row, StringComparison.Ordinal);
            Assert.Contains(check.Code.Id, row, StringComparison.Ordinal);
        }
    }
}
