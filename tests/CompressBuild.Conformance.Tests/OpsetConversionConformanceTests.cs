using System.Globalization;
using System.Collections.Concurrent;
using System.Text;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Conformance.Tests;

/// <summary>
/// Every ONNX backend test model with an opset below 13, converted to 13 by our converter, still computes ONNX's
/// expected outputs; models that cannot be converted are listed with the reason (the README's table comes from
/// artifacts/conformance/opset-conversion.md, written here).
/// </summary>
[Trait("Category", "Conformance")]
public sealed class OpsetConversionConformanceTests(ITestOutputHelper output)
{
    public static string MarkdownPath => Path.Combine(RepositoryPaths.Root, "artifacts", "conformance", "opset-conversion.md");

    [ConformanceTheory]
    [InlineData("node", 200)]
    [InlineData("pytorch-converted", 82)]
    [InlineData("pytorch-operator", 35)]
    [InlineData("simple", 17)]
    public void Models_below_opset_13_converted_to_13_still_match_the_reference_outputs(string suite, int minimumPassed)
    {
        var cases = ConformanceCase.Discover(suite);
        var results = new ConcurrentBag<OpsetConversionCase>();
        Parallel.ForEach(cases, new ParallelOptions { MaxDegreeOfParallelism = 2 }, c =>
        {
            if (OpsetConversionRunner.Run(c) is { } result)
            {
                results.Add(result);
            }
        });

        var ordered = results.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        var report = Describe(suite, ordered);
        output.WriteLine(report);
        Directory.CreateDirectory(Path.GetDirectoryName(MarkdownPath)!);
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(MarkdownPath)!, $"opset-conversion-{suite}.md"), report);

        var broken = ordered.Where(r => r.Outcome is OpsetConversionOutcome.Mismatch or OpsetConversionOutcome.ConvertedRejected).ToList();
        Assert.True(broken.Count == 0, "converted models that ONNX Runtime ran correctly before conversion but not after:\n"
            + string.Join("\n", broken.Select(b => $"{b.Name} (opset {b.FromOpset}): {b.Outcome}: {b.Detail}")));
        var passed = ordered.Count(r => r.Outcome == OpsetConversionOutcome.Passed);
        Assert.True(passed >= minimumPassed, $"only {passed} of {suite}'s models below opset 13 passed after conversion; expected at least {minimumPassed}.");
    }

    private static string Describe(string suite, List<OpsetConversionCase> results)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### {suite}: {results.Count} models below opset 13");
        text.AppendLine();
        foreach (var group in results.GroupBy(r => r.Outcome).OrderBy(g => g.Key))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {group.Key}: {group.Count()}");
        }

        text.AppendLine();
        text.AppendLine("| model | opset | outcome | why |");
        text.AppendLine("|---|---|---|---|");
        foreach (var r in results.Where(r => r.Outcome != OpsetConversionOutcome.Passed))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Name} | {r.FromOpset} | {r.Outcome} | {r.Detail?.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        return text.ToString();
    }
}
