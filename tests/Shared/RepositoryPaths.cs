namespace CompressBuild.Testing;

/// <summary>Locations tests read from: the repository's fixtures and ONNX's own conformance data.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    public static string Digits => Path.Combine(Fixtures, "digits");

    /// <summary>Debian's libonnx-testdata, installed by the test set-up (tests/test.sh).</summary>
    public static string OnnxTestData => Environment.GetEnvironmentVariable("COMPRESSBUILD_ONNX_TESTDATA") is { Length: > 0 } fromEnvironment
        ? fromEnvironment
        : "/usr/share/libonnx-testdata/data";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CompressBuild.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Could not find the repository root (CompressBuild.sln) above " + AppContext.BaseDirectory);
    }
}
