namespace CompressBuild.Testing;

/// <summary>
/// What every pipeline-run test starts from: a fresh temp folder holding copies of the trained digits fixtures
/// (tests/fixtures/digits: the MLP, its calibration and held-out data, the labels) and the compress.yaml the test
/// writes beside them. Runs write only inside it (outputs, cache, reports); it is deleted on dispose.
/// </summary>
internal sealed class DigitsWorkspace : IDisposable
{
    /// <summary>The MLP and its held-out data and labels: what a run with evaluation reads.</summary>
    public static readonly IReadOnlyList<string> EvaluationFiles = ["mlp.onnx", "test_x_flat.npy", "test_labels.npy"];

    /// <summary><see cref="EvaluationFiles"/> and the calibration data int8-static and activation pruning read.</summary>
    public static readonly IReadOnlyList<string> AllFiles = [.. EvaluationFiles, "calib_x_flat.npy"];

    private readonly TempFolder temp = new();
    private readonly IReadOnlyList<string> files;

    public DigitsWorkspace()
        : this(AllFiles)
    {
    }

    public DigitsWorkspace(IReadOnlyList<string> files)
    {
        this.files = files;
        CopyFixtures(temp.Path);
    }

    public string Path => temp.Path;

    /// <summary>The compress.yaml of this workspace (written by <see cref="WriteConfig"/> or <see cref="WriteMlpConfig"/>).</summary>
    public string Config => File("compress.yaml");

    /// <summary>Where <see cref="WriteMlpConfig"/>'s config writes the compressed MLP.</summary>
    public string Output => File(System.IO.Path.Combine("out", "mlp.onnx"));

    /// <summary>A cache folder inside the workspace, so no test shares the user's cache.</summary>
    public string Cache => File("cache");

    public string File(string relative) => temp.File(relative);

    /// <summary>Writes <paramref name="yaml"/> as the workspace's compress.yaml and returns its path.</summary>
    public string WriteConfig(string yaml)
    {
        System.IO.File.WriteAllText(Config, yaml);
        return Config;
    }

    /// <summary>
    /// The one-model config most run tests use: the MLP written to out/mlp.onnx, one quantize pass, evaluation on
    /// the first <paramref name="limit"/> held-out digits with labels, and these budgets (one "key: value" a line).
    /// The model entry starts on line 3.
    /// </summary>
    public string WriteMlpConfig(string budgets, string quantize = "{ mode: int8-dynamic }", int limit = 100, string? search = null)
    {
        var budgetLines = string.Join("\n      ", budgets.Split('\n').Select(l => l.Trim()));
        var searchLine = search is null ? "" : $"\n    search: {search}";
        return WriteConfig($"""
            version: 1
            models:
              - path: mlp.onnx
                output: out/mlp.onnx
                passes:
                  - quantize: {quantize}
                evaluation: {"{"} data: test_x_flat.npy, labels: test_labels.npy, limit: {limit} {"}"}
                budgets:
                  {budgetLines}{searchLine}

            """);
    }

    /// <summary>
    /// Another checkout of the same project (a second machine or CI agent): a sub-folder named <paramref name="name"/>
    /// with its own copy of the fixtures and of the compress.yaml when there is one. Returns the folder.
    /// </summary>
    public string Checkout(string name)
    {
        var folder = Directory.CreateDirectory(File(name)).FullName;
        CopyFixtures(folder);
        if (System.IO.File.Exists(Config))
        {
            System.IO.File.Copy(Config, System.IO.Path.Combine(folder, "compress.yaml"));
        }

        return folder;
    }

    public void Dispose() => temp.Dispose();

    private void CopyFixtures(string folder)
    {
        foreach (var file in files)
        {
            System.IO.File.Copy(System.IO.Path.Combine(RepositoryPaths.Digits, file), System.IO.Path.Combine(folder, file));
        }
    }
}
