using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Testing;
using CompressBuild.Tool.Baselines;
using Xunit;

namespace CompressBuild.Tool.Tests.Baselines;

/// <summary>The release lookup against a local folder feed of real .nupkg files (the path tested here: no internet).</summary>
public sealed class ReleaseBaselineFetcherTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void It_takes_the_highest_version_below_the_one_being_built_and_merges_every_baseline_it_packed()
    {
        var feed = temp.File("feed");
        Publish(feed, "1.0.0", ("mlp", 1000));
        Publish(feed, "1.1.0", ("mlp", 1100), ("cnn", 2100));
        Publish(feed, "2.0.0", ("mlp", 2000));
        var info = new List<string>();

        var release = ReleaseBaselineFetcher.Fetch("Contoso.Models", feed, "2.0.0", info.Add);

        Assert.NotNull(release);
        Assert.Equal("Contoso.Models 1.1.0", release.Label);
        Assert.Equal(["cnn", "mlp"], release.Document.Models.Keys);
        Assert.Equal(1100, release.Document.Models["mlp"].SizeBytes);
        Assert.Equal(2100, release.Document.Models["cnn"].SizeBytes);
        Assert.Contains(info, m => m.Contains("Contoso.Models 1.1.0", StringComparison.Ordinal));
    }

    [Fact]
    public void A_prerelease_being_built_compares_against_the_release_before_it()
    {
        var feed = temp.File("feed");
        Publish(feed, "1.0.0", ("mlp", 1000));
        Publish(feed, "1.1.0", ("mlp", 1100));

        var release = ReleaseBaselineFetcher.Fetch("contoso.models", feed, "1.1.0-beta.1", _ => { });

        Assert.Equal("contoso.models 1.0.0", release!.Label);
        Assert.Equal(1000, release.Document.Models["mlp"].SizeBytes);
    }

    [Fact]
    public void No_earlier_version_compares_nothing_and_says_so()
    {
        var feed = temp.File("feed");
        Publish(feed, "1.0.0", ("mlp", 1000));
        var info = new List<string>();

        var release = ReleaseBaselineFetcher.Fetch("Contoso.Models", feed, "1.0.0", info.Add);
        var unknown = ReleaseBaselineFetcher.Fetch("Other.Package", feed, "9.0.0", info.Add);

        Assert.Null(release);
        Assert.Null(unknown);
        Assert.Equal($"no earlier release of Contoso.Models on {feed}; nothing to compare", info[0]);
        Assert.Equal($"no earlier release of Other.Package on {feed}; nothing to compare", info[1]);
    }

    [Fact]
    public void A_missing_feed_folder_or_an_unreadable_baseline_is_CB3006_naming_the_feed()
    {
        var feed = temp.File("feed");
        TestPackages.Write(feed, "Contoso.Models", "1.0.0", new Dictionary<string, string> { ["compressbuild/baselines/mlp.json"] = "{ not json" });

        var missing = Assert.Throws<CompressBuildException>(() => ReleaseBaselineFetcher.Fetch("Contoso.Models", temp.File("no-feed"), "2.0.0", _ => { }));
        var corrupt = Assert.Throws<CompressBuildException>(() => ReleaseBaselineFetcher.Fetch("Contoso.Models", feed, "2.0.0", _ => { }));

        Assert.Equal(DiagnosticCodes.BaselineFeedUnavailable, missing.Code);
        Assert.Equal(3, missing.Code.ExitCode);
        Assert.Contains(temp.File("no-feed"), missing.Message, StringComparison.Ordinal);
        Assert.Equal(DiagnosticCodes.BaselineFeedUnavailable, corrupt.Code);
        Assert.Contains("compressbuild/baselines/mlp.json", corrupt.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_that_is_not_a_version_is_an_argument_error()
    {
        var e = Assert.Throws<CompressBuildException>(() => ReleaseBaselineFetcher.Fetch("Contoso.Models", temp.Path, "latest", _ => { }));

        Assert.Equal(DiagnosticCodes.ArgumentInvalid, e.Code);
    }

    private static void Publish(string feed, string version, params (string Model, long SizeBytes)[] models)
    {
        var files = models.ToDictionary(
            m => $"compressbuild/baselines/{m.Model}.json",
            m =>
            {
                var document = BaselineDocument.Empty();
                document.Models[m.Model] = Entry(m.Model, m.SizeBytes);
                return TestPackages.Baseline(document);
            });
        TestPackages.Write(feed, "Contoso.Models", version, files);
    }

    private static BaselineEntry Entry(string model, long sizeBytes) =>
        new($"{model}.onnx", 100, 0.97, 0.97, 1.0, 0.999, 40.0, 1.1, 0.01, sizeBytes, sizeBytes / 2, MachineProbe.Current, "0.1.0", "1.30.0");
}
