using System.Text.Json;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Pipeline;
using CompressBuild.Engine.Pipeline.Search;
using CompressBuild.Engine.Reporting;
using CompressBuild.Engine.Tests.Evaluation;
using CompressBuild.Engine.Tests.Reporting;
using CompressBuild.Engine.Verification;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Verification;

/// <summary>
/// The ctc metric end to end on a tiny recognizer: y = x + w over [N, 4 steps, 4 classes] (blank, 'a', 'b', space). The reference's w
/// is 0, so it decodes the data as written; the candidate's w lifts 'b' above every other class, so it reads "b" on every line.
/// </summary>
public sealed class CtcVerificationTests : IDisposable
{
    private const int Steps = 4;
    private const int Classes = 4;

    // Best class per time step of each sample: "ab", "b a", "ab".
    private static readonly int[][] Best = [[1, 1, 0, 2], [2, 0, 3, 1], [1, 2, 2, 0]];

    private readonly TempFolder temp = new();
    private readonly string reference;
    private readonly string candidate;
    private readonly string data;
    private readonly string keys;

    public CtcVerificationTests()
    {
        reference = Model("reference.onnx", [0, 0, 0, 0]);
        candidate = Model("candidate.onnx", [0, 0, 1.5f, 0]);
        data = temp.File("lines.npy");
        var values = Best.SelectMany(steps => steps.SelectMany(best => Enumerable.Range(0, Classes).Select(c => c == best ? 1f : 0f))).ToArray();
        File.WriteAllBytes(data, NpyBytes.Create("<f4", $"({Best.Length}, {Steps}, {Classes})", [.. values.SelectMany(BitConverter.GetBytes)]));
        keys = Text("keys.txt", "a\nb\n");
    }

    public void Dispose() => temp.Dispose();

    private string Model(string name, float[] bias)
    {
        var model = TestModels.Empty();
        model.Graph.Initializer.Add(TensorData.FromArray<float>("w", [Classes], bias));
        model.Graph.Node.Add(TestModels.Node("Add", ["x", "w"], ["y"]));
        model.Graph.Input.Add(TestModels.Tensor("x", TensorProto.Types.DataType.Float, "n", Steps, Classes));
        model.Graph.Output.Add(TestModels.Tensor("y", TensorProto.Types.DataType.Float, "n", Steps, Classes));
        return TestModels.Write(model, temp.File(name));
    }

    private string Text(string name, string text)
    {
        var path = temp.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    private VerificationRequest Request(string? labels, BudgetSet? budgets = null, int batch = 1) => new(candidate, reference, data)
    {
        Metric = AccuracyMetric.Ctc,
        Keys = keys,
        Labels = labels,
        Batch = batch,
        Budgets = budgets ?? new BudgetSet(),
        MeasureLatency = false,
    };

    [Fact]
    public void Against_text_labels_both_models_get_their_character_accuracy_and_the_drop_budget_reads_it()
    {
        // Truth "ab", "b a", "ax": the reference misses only the 'x' its keys lack (6 of 7); the candidate's "b" x3 costs 1 + 2 + 2 edits.
        var labels = Text("truth.txt", "ab\r\nb a\nax\n");

        var missed = Verifier.Run(Request(labels, new BudgetSet { MaxAccuracyDrop = 0.5 }));
        var held = Verifier.Run(Request(labels, new BudgetSet { MaxAccuracyDrop = 0.6, MinAgreement = 0.4 }));

        var text = missed.Metrics.Text!;
        Assert.True(text.AgainstLabels);
        Assert.Equal(("y", 4, true, 3, 7L), (text.Output, text.Classes, text.AppendsSpace, text.Lines, text.Characters));
        Assert.Equal(6.0 / 7, text.ReferenceAccuracy, 12);
        Assert.Equal(2.0 / 7, text.CandidateAccuracy, 12);
        Assert.Equal(4.0 / 7, text.Drop, 12);
        Assert.Equal(3.0 / 7, text.Agreement, 12);
        Assert.Equal((2.0 / 3, 0.0), (text.ReferenceLines, text.CandidateLines));
        Assert.Equal("x", text.OutsideKeys);
        var drop = Assert.Single(missed.Misses, c => c.Name == "max-accuracy-drop");
        Assert.Equal(DiagnosticCodes.AccuracyDropExceeded, drop.Code);
        Assert.Contains("character accuracy dropped 57.14 pp (reference 85.71%, candidate 28.57%", drop.Message, StringComparison.Ordinal);
        Assert.Contains(missed.Advisories, a => a.Code == DiagnosticCodes.TruthOutsideKeys && a.Message.Contains("'x'", StringComparison.Ordinal));

        // The recognizer's output is judged by its text: the character agreement floor replaces the cosine and SQNR floors.
        Assert.Equal(BudgetStatus.Failed, missed.Checks.Single(c => c.Name == "floor.min-agreement[y]").Status);
        Assert.DoesNotContain(missed.Checks, c => c.Name.StartsWith("floor.min-cosine", StringComparison.Ordinal));
        Assert.True(held.Passed, string.Join("; ", held.Misses.Select(m => m.Message)));
        Assert.Equal(3.0 / 7, held.Checks.Single(c => c.Name == "min-agreement[y]").Measured, 12);
    }

    [Fact]
    public void The_build_summary_line_gives_the_character_accuracy_change_and_its_budget()
    {
        // Against the labels the candidate loses 4 of 7 characters' accuracy: 57.1 points.
        var verification = Verifier.Run(Request(Text("truth.txt", "ab\nb a\nax\n"), new BudgetSet { MaxAccuracyDrop = 0.6 }));
        var plan = new CandidatePlan([], "requested");
        var trial = new Trial(1, plan, new TrialOutcome(true, false, [], 1, 0), TimeSpan.Zero);
        var run = new ModelRunResult("m", candidate, null, true, [trial], trial, trial, "", 0, verification, []);

        var line = ModelSummaryText.For(run, Path.Combine(Path.GetDirectoryName(candidate)!, "compress.yaml"));

        Assert.Contains("character accuracy -57.1 points (budget 60.0)", line, StringComparison.Ordinal);
        Assert.DoesNotContain("top-1", line, StringComparison.Ordinal);
    }

    [Fact]
    public void The_run_table_shows_both_character_accuracies_where_a_recognizer_has_no_top_1()
    {
        var verification = Verifier.Run(Request(Text("truth.txt", "ab\nb a\nax\n"), new BudgetSet { MaxAccuracyDrop = 0.6 }));

        Assert.Null(verification.Metrics.Labelled?.Accuracy);
        Assert.Equal("85.71% -> 28.57% chars", ModelSummaryText.AccuracyCell(verification));
        Assert.Equal("-", ModelSummaryText.AccuracyCell(null));
    }

    [Fact]
    public void Without_labels_the_candidate_is_scored_against_the_reference_s_own_text()
    {
        var result = Verifier.Run(Request(null, new BudgetSet { MaxAccuracyDrop = 0.6 }));

        var text = result.Metrics.Text!;
        Assert.False(text.AgainstLabels);
        Assert.Equal((1.0, 7L), (text.ReferenceAccuracy, text.Characters));
        Assert.Equal(3.0 / 7, text.CandidateAccuracy, 12);
        Assert.Equal(BudgetStatus.Passed, result.Checks.Single(c => c.Name == "max-accuracy-drop").Status);
    }

    [Fact]
    public void Batches_decode_row_by_row_to_the_same_figures()
    {
        var labels = Text("truth.txt", "ab\nb a\nax\n");

        var one = Verifier.Run(Request(labels)).Metrics.Text!;
        var two = Verifier.Run(Request(labels, batch: 2)).Metrics.Text!;

        Assert.Equal(one, two);
    }

    [Fact]
    public void The_json_report_carries_the_text_metric_within_its_schema_and_markdown_and_html_show_it()
    {
        var result = Verifier.Run(Request(Text("truth.txt", "ab\nb a\nab\n")));

        var root = JsonDocument.Parse(JsonReport.Serialize(result)).RootElement;
        using var schema = JsonDocument.Parse(JsonReport.Schema);
        Assert.Empty(SchemaValidator.Validate(schema.RootElement, root));
        Assert.Equal("ctc", root.GetProperty("metric").GetString());
        var text = root.GetProperty("text");
        Assert.Equal("labels", text.GetProperty("against").GetString());
        Assert.Equal(1.0, text.GetProperty("referenceAccuracy").GetDouble());
        Assert.Equal(3.0 / 7, text.GetProperty("candidateAccuracy").GetDouble(), 12);
        Assert.Equal(4.0 / 7, text.GetProperty("candidateCer").GetDouble(), 12);
        Assert.Contains("| candidate | 42.86% | 57.14% | 0.00% |", MarkdownSummary.Render(result), StringComparison.Ordinal);
        Assert.Contains("character accuracy drop 57.14 pp", HtmlReport.Render(result), StringComparison.Ordinal);
    }

    [Fact]
    public void A_labels_file_with_a_line_too_few_is_CB2065_at_the_line_where_they_part()
    {
        var labels = Text("truth.txt", "ab\nb a\n");

        var error = Assert.Throws<CompressBuildException>(() => Verifier.Run(Request(labels)));

        Assert.Equal((DiagnosticCodes.TextLabelsInvalid, labels, 3), (error.Code, error.File, error.Line));
        Assert.Contains("2 lines of text for 3 samples", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_that_do_not_fit_the_output_width_are_CB2066_saying_what_would()
    {
        var wide = Text("wide.txt", "a\nb\nc\nd\n");

        var error = Assert.Throws<CompressBuildException>(() => Verifier.Run(Request(null) with { Keys = wide }));

        Assert.Equal((DiagnosticCodes.CtcOutputNotFound, wide), (error.Code, error.File));
        Assert.Contains("output 'y' scores 4 classes per time step but the keys file lists 4 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ctc_metric_without_keys_is_CB2064_and_keys_with_top1_are_CB4067()
    {
        var error = Assert.Throws<CompressBuildException>(() => Verifier.Run(Request(null) with { Keys = null }));
        Assert.Equal(DiagnosticCodes.CtcKeysInvalid, error.Code);

        var top1 = Verifier.Run(Request(null) with { Metric = AccuracyMetric.Top1 });
        Assert.Null(top1.Metrics.Text);
        Assert.Contains(top1.Advisories, a => a.Code == DiagnosticCodes.CtcKeysIgnored);
    }

    [Fact]
    public void The_baseline_records_the_character_accuracy_and_agreement_and_holds_a_later_run_to_them()
    {
        var labels = Text("truth.txt", "ab\nb a\nax\n");
        var baseline = temp.File("compress.baseline.json");

        var recorded = Verifier.Run(Request(labels) with { Candidate = reference, Baseline = baseline, UpdateBaseline = true, ModelName = "rec" });
        var worse = Verifier.Run(Request(labels) with { Baseline = baseline, ModelName = "rec" });

        Assert.True(recorded.BaselineUpdated);
        var entry = BaselineFile.TryLoad(baseline)!.Models["rec"];
        Assert.Equal((Math.Round(6.0 / 7, 6), 1.0), (entry.CharacterAccuracy, entry.CharacterAgreement));
        var accuracy = Assert.Single(worse.Misses, c => c.Name == "baseline.character-accuracy");
        Assert.Equal(DiagnosticCodes.BaselineRegression, accuracy.Code);
        Assert.Equal(2.0 / 7, accuracy.Measured, 12);
        Assert.Contains(worse.Misses, c => c.Name == "baseline.character-agreement");
    }
}
