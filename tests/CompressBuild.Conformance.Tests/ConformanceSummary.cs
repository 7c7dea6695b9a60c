using System.Globalization;
using System.Text;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Conformance.Tests;

/// <summary>
/// Counts per suite and column, as a plain-text table for the test output and as Markdown for
/// <c>artifacts/conformance/summary.md</c>, which also names every model outside the passed and non-tensor columns.
/// </summary>
internal sealed class ConformanceSummary
{
    private static readonly (string Title, ConformanceOutcome Outcome)[] Columns =
    [
        ("passed", ConformanceOutcome.Passed),
        ("runtime-rejected", ConformanceOutcome.RuntimeRejected),
        ("mismatch", ConformanceOutcome.Mismatch),
        ("non-tensor", ConformanceOutcome.NonTensor),
        ("io-failure", ConformanceOutcome.IoFailure),
    ];

    /// <summary>Outcomes whose models are listed by name, in this order.</summary>
    private static readonly ConformanceOutcome[] Listed = [ConformanceOutcome.IoFailure, ConformanceOutcome.Mismatch, ConformanceOutcome.RuntimeRejected, ConformanceOutcome.NonTensor];

    private readonly List<SuiteReport> suites;

    public ConformanceSummary(IEnumerable<SuiteReport> suites)
    {
        // Suites finish in any order; the table always lists them in the same one.
        this.suites = suites.OrderBy(s => IndexOf(s.Suite)).ToList();
    }

    public string ToText()
    {
        var rows = Rows();
        var widths = rows[0].Select((_, column) => rows.Max(row => row[column].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, column) => column == 0 ? cell.PadRight(widths[column]) : cell.PadLeft(widths[column]))).TrimEnd());
        }

        return text.ToString();
    }

    /// <summary>The models of one suite in a listed column, one per line with the first line of its error.</summary>
    public static string Details(SuiteReport suite)
    {
        var text = new StringBuilder();
        foreach (var outcome in Listed)
        {
            var cases = suite.With(outcome);
            if (cases.Count == 0)
            {
                continue;
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"{suite.Suite} {Title(outcome)} ({cases.Count}):");
            foreach (var c in cases)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {c.Name}: {c.Detail}");
            }
        }

        return text.ToString();
    }

    public string ToMarkdown()
    {
        var markdown = new StringBuilder();
        markdown.AppendLine("# ONNX conformance")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture,
                $"ONNX backend test data from `{CompressBuild.Testing.RepositoryPaths.OnnxTestData}`, run through CompressBuild's model I/O (load, save, re-load) and ONNX Runtime " +
                $"{InferenceSession.RuntimeVersion} (Microsoft.ML.OnnxRuntime).")
            .AppendLine(CultureInfo.InvariantCulture,
                $"Outputs are compared with the reference as ONNX's backend tests do (rtol={TensorComparer.RelativeTolerance}, atol={TensorComparer.AbsoluteTolerance}; integers, bools and strings " +
                $"exactly).")
            .AppendLine();
        var rows = Rows();
        markdown.AppendLine("| " + string.Join(" | ", rows[0]) + " |");
        markdown.AppendLine("|" + string.Concat(rows[0].Select((_, column) => column == 0 ? " --- |" : " ---: |")));
        foreach (var row in rows.Skip(1))
        {
            markdown.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        foreach (var suite in suites)
        {
            foreach (var outcome in Listed)
            {
                var cases = suite.With(outcome);
                if (cases.Count == 0)
                {
                    continue;
                }

                markdown.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## {suite.Suite}: {Title(outcome)} ({cases.Count})").AppendLine();
                foreach (var c in cases)
                {
                    markdown.AppendLine(CultureInfo.InvariantCulture, $"- `{c.Name}`: {Escape(c.Detail)}");
                }
            }

            var nondeterministic = suite.Cases.Where(c => c.Nondeterministic).Select(c => $"`{c.Name}`").ToList();
            if (nondeterministic.Count > 0)
            {
                markdown.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## {suite.Suite}: nondeterministic ({nondeterministic.Count})").AppendLine()
                    .AppendLine("These give different outputs on every run, so the round-tripped copy was not required to match the original bit for bit: " + string.Join(", ", nondeterministic)
                        + ".");
            }
        }

        return markdown.ToString();
    }

    private List<string[]> Rows()
    {
        string[] header = ["suite", "models", .. Columns.Select(c => c.Title), "byte-identical", "seconds"];
        var rows = new List<string[]> { header };
        foreach (var suite in suites)
        {
            rows.Add([suite.Suite, Number(suite.Cases.Count), .. Columns.Select(c => Number(suite.Count(c.Outcome))), Number(suite.ByteIdentical), Seconds(suite.Elapsed)]);
        }

        if (suites.Count > 1)
        {
            rows.Add([
                "total",
                Number(suites.Sum(s => s.Cases.Count)),
                .. Columns.Select(c => Number(suites.Sum(s => s.Count(c.Outcome)))),
                Number(suites.Sum(s => s.ByteIdentical)),
                Seconds(TimeSpan.FromTicks(suites.Sum(s => s.Elapsed.Ticks))),
            ]);
        }

        return rows;
    }

    private static int IndexOf(string suite)
    {
        var index = ConformanceSuites.Names.ToList().IndexOf(suite);
        return index < 0 ? int.MaxValue : index;
    }

    private static string Title(ConformanceOutcome outcome) => Columns.First(c => c.Outcome == outcome).Title;

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);

    // Error messages quote shapes, names and operators; a code span shows them verbatim instead of as Markdown.
    private static string Escape(string? text) => "`" + (text ?? "").Replace('`', '\'') + "`";
}
