using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Verification;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Verification;

/// <summary>The one path that writes baselines records the figures of the verification it is given, without verifying again.</summary>
public sealed class BaselineRecorderTests : IDisposable
{
    private readonly TempFolder temp = new();

    private static string Digits(string name) => Path.Combine(RepositoryPaths.Digits, name);

    public void Dispose() => temp.Dispose();

    private VerificationResult Verify(double error, BudgetSet budgets) => Verifier.Run(
        new VerificationRequest(PerturbedModels.Write(Digits("mlp.onnx"), error, temp.File($"m{error}.onnx")), Digits("mlp.onnx"), Digits("test_x_flat.npy"))
        {
            Labels = Digits("test_labels.npy"),
            Limit = 100,
            ModelName = "mlp",
            Budgets = budgets,
            Latency = new LatencyOptions { MaxTime = TimeSpan.FromSeconds(0.2), MinTime = TimeSpan.FromSeconds(0.05), Warmup = 5 },
        });

    [Fact]
    public void A_passing_result_is_recorded_with_its_own_figures_beside_the_other_models()
    {
        var path = temp.File("compress.baseline.json");
        var other = BaselineDocument.Empty();
        var result = Verify(1e-3, new BudgetSet { MinCosine = 0.99 });
        other.Models["other"] = BaselineRecorder.EntryFor(result) with { Reference = "other.onnx" };
        BaselineFile.Save(other, path);

        var recorded = BaselineRecorder.Update(result, path);

        Assert.True(recorded.BaselineUpdated);
        var document = BaselineFile.TryLoad(path)!;
        Assert.Equal(["mlp", "other"], document.Models.Keys);
        var entry = document.Models["mlp"];
        Assert.Equal(Math.Round(result.Latency!.Speedup.Ratio, 3), entry.Speedup);
        Assert.Equal(Math.Round(result.Metrics.Labelled!.Accuracy!.CandidateTop1, 6), entry.AccuracyTop1);
        Assert.Equal(result.CandidateSize.Bytes, entry.SizeBytes);
        Assert.Equal(100, entry.Samples);
    }

    [Fact]
    public void A_failing_result_leaves_the_baseline_file_as_it_was()
    {
        var path = temp.File("compress.baseline.json");
        BaselineRecorder.Write([Verify(1e-3, new BudgetSet())], path);
        var before = File.ReadAllBytes(path);
        var failing = Verify(0.6, new BudgetSet { MinCosine = 0.9999 });

        var result = BaselineRecorder.Update(failing, path);

        Assert.False(failing.Passed);
        Assert.False(result.BaselineUpdated);
        Assert.Equal(before, File.ReadAllBytes(path));
    }
}
