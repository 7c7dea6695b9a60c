using System.Collections.Concurrent;
using System.Diagnostics;
using CompressBuild.Testing;

namespace CompressBuild.Conformance.Tests;

/// <summary>
/// Shared by the tests of <see cref="OnnxConformanceTests"/>: runs each suite once (whichever test asks first),
/// keeps the results for the other tests, and rewrites <c>artifacts/conformance/summary.md</c> with every suite
/// run so far, so the file is complete after a full run and still useful after a filtered one.
/// </summary>
public sealed class ConformanceReport : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<SuiteReport>> suites = new(StringComparer.Ordinal);
    private readonly TempFolder scratch = new("conformance-" + Guid.NewGuid().ToString("N"));
    private readonly ConformanceRunner runner = new(ConformanceRunner.SingleThreaded);
    private readonly Lock writeLock = new();

    public static string MarkdownPath => Path.Combine(RepositoryPaths.Root, "artifacts", "conformance", "summary.md");

    internal ConformanceSummary Summary => new(Completed());

    public void Dispose() => scratch.Dispose();

    internal SuiteReport Evaluate(string suite) =>
        suites.GetOrAdd(suite, s => new Lazy<SuiteReport>(() => Run(s), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    private SuiteReport Run(string suite)
    {
        var stopwatch = Stopwatch.StartNew();
        var cases = ConformanceCase.Discover(suite);
        var results = new CaseResult[cases.Count];
        Parallel.For(0, cases.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var folder = Path.Combine(scratch.Path, suite, cases[i].Name);
            Directory.CreateDirectory(folder);
            try
            {
                results[i] = runner.Run(cases[i], folder);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        });

        var report = new SuiteReport(suite, results, stopwatch.Elapsed);
        lock (writeLock)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(MarkdownPath)!);
            File.WriteAllText(MarkdownPath, new ConformanceSummary([.. Completed(), report]).ToMarkdown());
        }

        return report;
    }

    /// <summary>Suites whose run has finished (the summary puts them in order).</summary>
    private List<SuiteReport> Completed() =>
        suites.Values.Where(lazy => lazy.IsValueCreated).Select(lazy => lazy.Value).ToList();
}
