using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Conformance.Tests;

/// <summary>
/// ONNX's own backend test data through our model I/O and our ONNX Runtime binding, one case per suite. Each
/// suite runs once (see <see cref="ConformanceReport"/>); the two tests assert different invariants of its results.
/// </summary>
[Trait("Category", "Conformance")]
public sealed class OnnxConformanceTests(ConformanceReport report, ITestOutputHelper output) : IClassFixture<ConformanceReport>
{
    public static TheoryData<string> Suites => new(ConformanceSuites.Names);

    [ConformanceTheory]
    [MemberData(nameof(Suites))]
    public void Every_model_loads_saves_and_reloads_unchanged(string suite)
    {
        var results = report.Evaluate(suite);
        output.WriteLine($"{suite}: {results.Cases.Count} models, {results.ByteIdentical} saved byte-identical to the source file, {results.Elapsed.TotalSeconds:0.0} s.");

        Assert.True(results.Cases.Count >= ConformanceSuites.MinimumModels(suite),
            $"{ConformanceSuites.Folder(suite)} holds {results.Cases.Count} models; libonnx-testdata 1.12 ships {ConformanceSuites.MinimumModels(suite)}.");
        var withoutData = ConformanceCase.Discover(suite).Where(c => c.DataSets.Count == 0).Select(c => c.Name).ToList();
        Assert.True(withoutData.Count == 0, "models without a test_data_set folder: " + string.Join(", ", withoutData));
        var ioFailures = results.With(ConformanceOutcome.IoFailure);
        Assert.True(ioFailures.Count == 0, $"{ioFailures.Count} io-failures:\n" + string.Join("\n", ioFailures.Select(c => $"{c.Name}: {c.Detail}")));
        var changed = results.Cases.Where(c => !c.RoundTripEqual).Select(c => c.Name).ToList();
        Assert.True(changed.Count == 0, "re-loaded ModelProto differs from the original: " + string.Join(", ", changed));

        // Google.Protobuf encodes every field the way the C++ protobuf that wrote these files did (field order,
        // unpacked proto2 repeated scalars), so on this data the saved file is the source file, byte for byte.
        var rewritten = results.Cases.Where(c => !c.ByteIdentical).Select(c => c.Name).ToList();
        Assert.True(rewritten.Count == 0, "saved copy is not byte-identical to the source: " + string.Join(", ", rewritten));
    }

    [ConformanceTheory]
    [MemberData(nameof(Suites))]
    public void Models_run_on_onnx_runtime_and_match_the_reference_outputs(string suite)
    {
        var results = report.Evaluate(suite);
        output.WriteLine(report.Summary.ToText());
        output.WriteLine(ConformanceSummary.Details(results));
        output.WriteLine("Markdown summary: " + ConformanceReport.MarkdownPath);

        var passed = results.Count(ConformanceOutcome.Passed);
        Assert.True(passed > 0, $"no model of {suite} passed: the runtime path did not run.");
        if (ConformanceSuites.MinimumPassed(suite) is { } minimum)
        {
            Assert.True(passed >= minimum, $"{passed} of {suite}'s models passed; ONNX Runtime passes {minimum} itself.\n" + ConformanceSummary.Details(results));
        }
    }
}
