using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Budgets;

/// <summary>compress.baseline.json: recorded, read back, and a worse candidate fails against it.</summary>
public sealed class BaselineTests : IDisposable
{
    private readonly TempFolder temp = new();

    private static string Digits(string name) => Path.Combine(RepositoryPaths.Digits, name);

    public void Dispose() => temp.Dispose();

    private static VerificationRequest Request(string candidate, string baseline, bool update, string? name = "mlp") =>
        new(candidate, Digits("mlp.onnx"), Digits("test_x_flat.npy"))
        {
            Labels = Digits("test_labels.npy"),
            Limit = 200,
            Baseline = baseline,
            UpdateBaseline = update,
            ModelName = name,
            Latency = new LatencyOptions { MaxTime = TimeSpan.FromSeconds(0.2), MinTime = TimeSpan.FromSeconds(0.05), Warmup = 5 },
        };

    [Fact]
    public void Round_trip_then_a_worse_candidate_fails_with_CB1005()
    {
        var baseline = temp.File("compress.baseline.json");
        var good = PerturbedModels.Write(Digits("mlp.onnx"), 1e-3, temp.File("good.onnx"));
        var worse = PerturbedModels.Write(Digits("mlp.onnx"), 0.6, temp.File("worse.onnx"));

        var recorded = Verifier.Run(Request(good, baseline, update: true));
        var document = BaselineFile.TryLoad(baseline)!;
        var entry = document.Models["mlp"];
        var again = Verifier.Run(Request(good, baseline, update: false));
        var regressed = Verifier.Run(Request(worse, baseline, update: false));

        Assert.True(recorded.BaselineUpdated);
        Assert.Equal(recorded.Metrics.Labelled!.Accuracy!.CandidateTop1, entry.AccuracyTop1!.Value, 6);
        Assert.Equal(recorded.CandidateSize.Bytes, entry.SizeBytes);
        Assert.Equal(recorded.Latency!.Speedup.Ratio, entry.Speedup!.Value, 3);
        Assert.Equal(MachineProbe.Current, entry.Machine with { IsaFlags = MachineProbe.Current.IsaFlags });
        Assert.Equal(MachineProbe.Current.IsaFlags, entry.Machine.IsaFlags);
        Assert.Equal(200, entry.Samples);

        // The speedup is timed again, so whether it holds the recorded one within the tolerance depends on the machine's load: its
        // check must agree with its own interval, and every other check (accuracy, size: the same model) must pass.
        var speedup = again.Checks.Single(c => c.Name == "baseline.speedup");
        var floor = entry.Speedup!.Value * (1 - new BaselineTolerances().Speedup);
        Assert.Equal(again.Latency!.Speedup.High >= floor ? BudgetStatus.Passed : BudgetStatus.Failed, speedup.Status);
        Assert.All(again.Checks.Where(c => c != speedup), c => Assert.True(c.Status == BudgetStatus.Passed, c.Message));
        Assert.Contains(again.Checks, c => c.Name == "baseline.accuracy" && c.Status == BudgetStatus.Passed);

        Assert.False(regressed.Passed);
        var miss = regressed.Misses.First(m => m.Name == "baseline.accuracy");
        Assert.Equal(DiagnosticCodes.BaselineRegression, miss.Code);
        Assert.Equal(entry.AccuracyTop1, miss.Reference);
        Assert.Contains(BudgetFormat.Percent(entry.AccuracyTop1!.Value), miss.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_file_keeps_models_in_key_order_and_one_entry_per_model()
    {
        var baseline = temp.File("compress.baseline.json");
        var candidate = Digits("mlp.onnx");

        Verifier.Run(Request(candidate, baseline, update: true, name: "zeta") with { MeasureLatency = false });
        Verifier.Run(Request(candidate, baseline, update: true, name: "alpha") with { MeasureLatency = false });
        Verifier.Run(Request(candidate, baseline, update: true, name: "zeta") with { MeasureLatency = false });
        var text = File.ReadAllText(baseline);

        Assert.Equal(["alpha", "zeta"], BaselineFile.TryLoad(baseline)!.Models.Keys);
        Assert.True(text.IndexOf("\"alpha\"", StringComparison.Ordinal) < text.IndexOf("\"zeta\"", StringComparison.Ordinal));
        Assert.DoesNotContain('\r', text);
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missed_budget_does_not_update_the_baseline()
    {
        var baseline = temp.File("compress.baseline.json");
        var worse = PerturbedModels.Write(Digits("mlp.onnx"), 0.6, temp.File("worse.onnx"));

        var result = Verifier.Run(Request(worse, baseline, update: true) with { Budgets = new BudgetSet { MinCosine = 0.9999 }, MeasureLatency = false });

        Assert.False(result.Passed);
        Assert.False(result.BaselineUpdated);
        Assert.False(File.Exists(baseline));
    }

    [Fact]
    public void A_corrupt_baseline_is_CB2061_with_its_line()
    {
        var baseline = temp.File("compress.baseline.json");
        File.WriteAllText(baseline, "{\n  \"schemaVersion\": 1,\n  \"models\": {\n    \"mlp\": { \"reference\": \n}");

        var e = Assert.Throws<CompressBuildException>(() => Verifier.Run(Request(Digits("mlp.onnx"), baseline, update: false)));

        Assert.Equal(DiagnosticCodes.BaselineInvalid, e.Code);
        Assert.Equal(baseline, e.File);
        Assert.NotNull(e.Line);
    }

    [Fact]
    public void A_baseline_entry_without_its_machine_is_CB2061_not_a_crash()
    {
        var baseline = temp.File("compress.baseline.json");
        File.WriteAllText(baseline, "{ \"schemaVersion\": 1, \"models\": { \"mlp\": { \"reference\": \"mlp.onnx\", \"samples\": 3, \"sizeBytes\": 10 } } }");

        var e = Assert.Throws<CompressBuildException>(() => Verifier.Run(Request(Digits("mlp.onnx"), baseline, update: false)));

        Assert.Equal(DiagnosticCodes.BaselineInvalid, e.Code);
        Assert.Contains("model 'mlp' lacks", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_baseline_of_another_schema_version_is_CB2061()
    {
        var baseline = temp.File("compress.baseline.json");
        File.WriteAllText(baseline, "{ \"schemaVersion\": 7, \"models\": {} }");

        var e = Assert.Throws<CompressBuildException>(() => Verifier.Run(Request(Digits("mlp.onnx"), baseline, update: false)));

        Assert.Equal(DiagnosticCodes.BaselineInvalid, e.Code);
        Assert.Contains("version 7", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_baseline_is_an_advisory_not_a_failure()
    {
        var result = Verifier.Run(Request(Digits("mlp.onnx"), temp.File("none.json"), update: false) with { MeasureLatency = false });

        Assert.True(result.Passed);
        Assert.Contains(result.Advisories, a => a.Code == DiagnosticCodes.BaselineNotFound);
    }
}
