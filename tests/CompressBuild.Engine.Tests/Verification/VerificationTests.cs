using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Verification;

/// <summary>Budgets on controlled candidates: the digits MLP with every Gemm weight off by a known relative amount.</summary>
public sealed class VerificationTests : IDisposable
{
    private static readonly double[] Errors = [1e-4, 1e-2, 0.3];

    private readonly TempFolder temp = new();

    private static string Digits(string name) => Path.Combine(RepositoryPaths.Digits, name);

    public void Dispose() => temp.Dispose();

    private static VerificationRequest Request(string candidate, BudgetSet? budgets = null) =>
        new(candidate, Digits("mlp.onnx"), Digits("test_x_flat.npy"))
        {
            Labels = Digits("test_labels.npy"),
            Budgets = budgets ?? new BudgetSet(),
            MeasureLatency = false,
            Latency = new LatencyOptions { MaxTime = TimeSpan.FromSeconds(0.3), Warmup = 5 },
        };

    private string Perturbed(double error) => PerturbedModels.Write(Digits("mlp.onnx"), error, temp.File($"mlp_{error}.onnx"));

    [Fact]
    public void Fidelity_falls_as_the_weight_error_grows()
    {
        var results = Errors.Select(e => Verifier.Run(Request(Perturbed(e))).Metrics.Outputs.Single()).ToList();

        Assert.True(results[0].SqnrDb > results[1].SqnrDb && results[1].SqnrDb > results[2].SqnrDb, string.Join(", ", results.Select(r => r.SqnrDb)));
        Assert.True(results[0].Cosine > results[1].Cosine && results[1].Cosine > results[2].Cosine);

        // A relative weight error e gives an output error of order e: SQNR near 20 log10(1/e) dB (80 dB at 1e-4).
        Assert.InRange(results[0].SqnrDb, 60, 100);
        Assert.InRange(results[1].SqnrDb, 20, 60);
    }

    [Fact]
    public void A_slightly_perturbed_candidate_passes_every_fidelity_and_accuracy_budget()
    {
        var budgets = new BudgetSet { MaxAccuracyDrop = 0.01, MinAgreement = 0.99, MinCosine = 0.9999, MinSqnrDb = 40, MinSizeRatio = 0.99, MaxSizeMb = 1 };

        var result = Verifier.Run(Request(Perturbed(1e-4), budgets));

        Assert.True(result.Passed, string.Join("\n", result.Misses.Select(m => m.Message)));
        Assert.Equal(["max-accuracy-drop", "min-agreement[logits]", "min-cosine[logits]", "min-sqnr[logits]", "max-size-mb", "min-size-ratio"], result.Checks.Select(c => c.Name));
    }

    [Fact]
    public void A_heavily_perturbed_candidate_misses_the_accuracy_and_fidelity_budgets_with_their_codes()
    {
        var budgets = new BudgetSet { MaxAccuracyDrop = 0.01, MinAgreement = 0.99, MinCosine = 0.9999, MinSqnrDb = 40 };

        var result = Verifier.Run(Request(Perturbed(0.6), budgets));

        Assert.False(result.Passed);
        var accuracy = result.Checks.Single(c => c.Name == "max-accuracy-drop");
        var labelled = result.Metrics.Labelled!.Accuracy!;
        Assert.Equal(BudgetStatus.Failed, accuracy.Status);
        Assert.Equal(DiagnosticCodes.AccuracyDropExceeded, accuracy.Code);
        Assert.Equal(labelled.ReferenceTop1 - labelled.CandidateTop1, accuracy.Measured, 12);
        Assert.Equal(labelled.ReferenceTop1, accuracy.Reference);
        Assert.Contains(BudgetFormat.Percent(labelled.CandidateTop1), accuracy.Message, StringComparison.Ordinal);
        Assert.All(result.Checks.Where(c => c.Name.StartsWith("min-", StringComparison.Ordinal)), c =>
        {
            Assert.Equal(DiagnosticCodes.FidelityBelowBudget, c.Code);
            Assert.Equal(BudgetStatus.Failed, c.Status);
        });
    }

    [Fact]
    public void Size_budgets_count_external_data_and_miss_with_CB1003()
    {
        var candidate = PerturbedModels.Write(Digits("mlp.onnx"), 0, temp.File("external/mlp.onnx"), CompressBuild.Engine.Onnx.ExternalDataLayout.SingleFile);
        var reference = new FileInfo(Digits("mlp.onnx")).Length;

        var result = Verifier.Run(Request(candidate, new BudgetSet { MaxSizeMb = reference / 2e6, MinSizeRatio = 2 }));

        Assert.Equal(2, result.CandidateSize.Files.Count);
        Assert.Equal(result.CandidateSize.Files.Sum(f => new FileInfo(f).Length), result.CandidateSize.Bytes);
        Assert.True(result.CandidateSize.Bytes > reference * 0.9, "weights moved to the .data file still count");
        Assert.True(result.CandidateSize.ZipBytes < result.CandidateSize.Bytes);
        Assert.Equal(2, result.Misses.Count(m => m.Code == DiagnosticCodes.SizeBudgetMissed));
    }

    [Fact]
    public void Limit_and_batch_change_how_data_is_fed_not_what_is_measured()
    {
        var candidate = Perturbed(1e-2);
        var one = Verifier.Run(Request(candidate) with { Limit = 100 });
        var eight = Verifier.Run(Request(candidate) with { Limit = 100, Batch = 8 });

        Assert.Equal(100, one.Samples);
        Assert.Equal(100, eight.Samples);
        var a = one.Metrics.Outputs.Single();
        var b = eight.Metrics.Outputs.Single();
        Assert.Equal(a.Accuracy!.CandidateTop1, b.Accuracy!.CandidateTop1);
        Assert.Equal(a.Top1Agreement, b.Top1Agreement);
        Assert.Equal(a.Mse, b.Mse, 1e-9);
        Assert.Equal(a.MaxAbsError, b.MaxAbsError, 1e-5);
    }

    [Fact]
    public void A_batch_on_a_model_with_a_fixed_first_dimension_is_CB2062()
    {
        var model = TestModels.Write(TestModels.AddWeight(4), temp.File("add.onnx"));
        var data = temp.File("x.npy");
        File.WriteAllBytes(data, Tests.Evaluation.NpyBytes.Create("<f4", "(3, 4)", new byte[48]));

        var e = Assert.Throws<CompressBuildException>(() => Verifier.Run(new VerificationRequest(model, model, data) { Batch = 2, MeasureLatency = false }));

        Assert.Equal(DiagnosticCodes.BatchNotSupported, e.Code);
        Assert.Contains("input 'x' has shape [4]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_regression_output_gets_fidelity_checks_but_no_agreement_which_is_an_advisory()
    {
        var model = TestModels.Write(TestModels.AddWeight(1), temp.File("add.onnx"));
        var data = temp.File("x.npy");
        File.WriteAllBytes(data, Tests.Evaluation.NpyBytes.Create("<f4", "(3, 1)", new byte[12]));

        var result = Verifier.Run(new VerificationRequest(model, model, data) { Budgets = new BudgetSet { MinAgreement = 0.99, MinCosine = 0.99 }, MeasureLatency = false });

        Assert.False(Assert.Single(result.Metrics.Outputs).IsClassification);
        Assert.Equal(["min-cosine[y]"], result.Checks.Select(c => c.Name));
        Assert.Contains(result.Advisories, a => a.Code == DiagnosticCodes.FidelityBudgetUnchecked);
    }

    [Fact]
    public void A_label_count_that_differs_from_the_sample_count_is_CB2011_naming_both()
    {
        var labels = temp.File("labels.txt");
        File.WriteAllLines(labels, Enumerable.Repeat("1", 496));

        var e = Assert.Throws<CompressBuildException>(() => Verifier.Run(Request(Digits("mlp.onnx")) with { Labels = labels }));

        Assert.Equal(DiagnosticCodes.DataDoesNotMatchModel, e.Code);
        Assert.Equal(labels, e.File);
        Assert.Contains("496 labels for 497 samples", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_accuracy_budget_without_labels_is_CB2063()
    {
        var e = Assert.Throws<CompressBuildException>(() => Verifier.Run(Request(Digits("mlp.onnx"), new BudgetSet { MaxAccuracyDrop = 0.01 }) with { Labels = null }));

        Assert.Equal(DiagnosticCodes.LabelsRequired, e.Code);
    }

    [Theory]
    [InlineData(-0.01, null, null)]
    [InlineData(null, 1.5, null)]
    [InlineData(null, null, 0.0)]
    public void Budgets_that_make_no_sense_are_CB2060(double? maxDrop, double? minCosine, double? minSpeedup)
    {
        var budgets = new BudgetSet { MaxAccuracyDrop = maxDrop, MinCosine = minCosine, MinSpeedup = minSpeedup };

        var e = Assert.Throws<CompressBuildException>(() => Verifier.Run(Request(Digits("mlp.onnx"), budgets)));

        Assert.Equal(DiagnosticCodes.BudgetInvalid, e.Code);
    }

    [Fact]
    public void A_candidate_equal_to_the_reference_passes_a_speedup_of_one_every_time()
    {
        // The confidence-interval rule: identical models differ only by noise, which must never fail a build.
        foreach (var model in new[] { "mlp.onnx", "cnn_residual.onnx" })
        {
            var data = Digits(model == "mlp.onnx" ? "test_x_flat.npy" : "test_x_img.npy");
            for (var run = 0; run < 3; run++)
            {
                var result = Verifier.Run(new VerificationRequest(Digits(model), Digits(model), data)
                {
                    Limit = 32,
                    Budgets = new BudgetSet { MinSpeedup = 1.0 },
                    Latency = new LatencyOptions { MaxTime = TimeSpan.FromSeconds(0.25), MinTime = TimeSpan.FromSeconds(0.1), Warmup = 5 },
                });

                var speedup = result.Checks.Single(c => c.Name == "min-speedup");
                Assert.True(speedup.Status == BudgetStatus.Passed, $"{model} run {run}: {speedup.Message}");
                Assert.True(result.Latency!.Speedup.Low <= result.Latency.Speedup.Ratio && result.Latency.Speedup.Ratio <= result.Latency.Speedup.High);
            }
        }
    }

    [Fact]
    public void A_truly_slower_candidate_misses_a_speedup_budget_and_a_faster_one_meets_it()
    {
        var slow = SlowedModel.Write(Digits("mlp.onnx"), temp.File("slow.onnx"));
        var latency = new LatencyOptions { MaxTime = TimeSpan.FromSeconds(0.3), MinTime = TimeSpan.FromSeconds(0.1), Warmup = 5 };

        var slower = Verifier.Run(new VerificationRequest(slow, Digits("mlp.onnx"), Digits("test_x_flat.npy")) { Limit = 16, Budgets = new BudgetSet { MinSpeedup = 1.0, MinCosine = 0.999999 },
            Latency = latency });
        var faster = Verifier.Run(new VerificationRequest(Digits("mlp.onnx"), slow, Digits("test_x_flat.npy")) { Limit = 16, Budgets = new BudgetSet { MinSpeedup = 1.5 }, Latency = latency });

        var miss = Assert.Single(slower.Misses);
        Assert.Equal(DiagnosticCodes.SpeedupBelowBudget, miss.Code);
        Assert.True(slower.Latency!.Speedup.High < 0.97, miss.Message);
        Assert.True(faster.Passed, faster.Checks.Single(c => c.Code == DiagnosticCodes.SpeedupBelowBudget).Message);
        Assert.True(faster.Latency!.Speedup.Low > 1.5, faster.Checks.Single(c => c.Code == DiagnosticCodes.SpeedupBelowBudget).Message);
    }

    [Fact]
    public void Latency_sampling_stops_at_the_time_cap()
    {
        var result = Verifier.Run(new VerificationRequest(Digits("cnn_residual.onnx"), Digits("cnn_residual.onnx"), Digits("test_x_img.npy"))
        {
            Limit = 16,
            Latency = new LatencyOptions { MaxTime = TimeSpan.FromSeconds(0.2), TargetRelativeWidth = 1e-9, MaxPairs = int.MaxValue, Warmup = 2 },
        });

        Assert.True(result.Latency!.ReachedTimeCap);
        Assert.Equal(result.Latency.Pairs, result.Latency.ReferenceMs.Count);
        Assert.Equal(result.Latency.Speedup.RelativeWidth > 1e-9, result.Advisories.Any(a => a.Code == DiagnosticCodes.SpeedupIntervalWide));
    }
}
