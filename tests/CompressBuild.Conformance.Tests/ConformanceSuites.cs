namespace CompressBuild.Conformance.Tests;

/// <summary>The folders of ONNX's backend test data this project runs, and what each must at least hold.</summary>
internal static class ConformanceSuites
{
    /// <summary>Suite folder names, in the order the summary lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["node", "pytorch-converted", "pytorch-operator", "simple"];

    /// <summary>
    /// Models Debian's libonnx-testdata 1.12 ships per suite. Fewer means a partial or wrong data folder, which
    /// would otherwise pass quietly with less coverage; newer ONNX releases only add tests.
    /// </summary>
    public static int MinimumModels(string suite) => suite switch
    {
        "node" => 932,
        "pytorch-converted" => 82,
        "pytorch-operator" => 35,
        "simple" => 23,
        _ => throw new ArgumentOutOfRangeException(nameof(suite), suite, "not a conformance suite"),
    };

    /// <summary>
    /// Node tests ONNX Runtime (1.30 through our former C-API binding, 1.31 through Microsoft.ML.OnnxRuntime) passes on
    /// this data; fewer means our session layer or comparison lost some.
    /// The other suites have no published baseline, so only their invariants are asserted.
    /// </summary>
    public static int? MinimumPassed(string suite) => suite == "node" ? 859 : null;

    public static string Folder(string suite) => Path.Combine(CompressBuild.Testing.RepositoryPaths.OnnxTestData, suite);
}
