using CompressBuild.Engine.Onnx;

namespace CompressBuild.Benchmarks.ModelIo;

/// <summary>
/// The temporary folder a model-io run works in: the generated model, written once inline and once with
/// external data, and one output folder per child run. Disposing deletes all of it.
/// </summary>
internal sealed class BenchWorkspace : IDisposable
{
    private BenchWorkspace(string root, int width, int layers)
    {
        Root = root;
        Width = width;
        Layers = layers;
    }

    public string Root { get; }

    public int Width { get; }

    public int Layers { get; }

    public string InlineModelPath => Path.Combine(Root, "inline", Scenario.OutputFileName);

    public string ExternalModelPath => Path.Combine(Root, "external", Scenario.OutputFileName);

    public string ExternalDataPath => ExternalModelPath + ".data";

    public long InlineBytes => new FileInfo(InlineModelPath).Length;

    public long ExternalModelBytes => new FileInfo(ExternalModelPath).Length;

    public long ExternalDataBytes => new FileInfo(ExternalDataPath).Length;

    public static BenchWorkspace Create(long targetBytes, int width, int seed)
    {
        var root = Path.Combine(Path.GetTempPath(), $"compressbuild-bench-{Guid.NewGuid():N}");
        var workspace = new BenchWorkspace(root, width, SyntheticMlp.LayersFor(targetBytes, width));
        try
        {
            // Written with the engine itself, so the files are exactly what the engine reads and writes in practice.
            var model = new OnnxModel(SyntheticMlp.Build(width, workspace.Layers, seed), baseDirectory: root);
            OnnxModelWriter.Save(model, workspace.InlineModelPath, new ModelSaveOptions { Layout = ExternalDataLayout.Inline });
            OnnxModelWriter.Save(model, workspace.ExternalModelPath, new ModelSaveOptions { Layout = ExternalDataLayout.SingleFile, SizeThreshold = 1024 });
            return workspace;
        }
        catch
        {
            workspace.Dispose();
            throw;
        }
    }

    public string InputFor(ScenarioInput input) => input == ScenarioInput.Inline ? InlineModelPath : ExternalModelPath;

    /// <summary>Bytes of the model on disk for that input: the .onnx file, plus its .data file for external data.</summary>
    public long ModelBytesFor(ScenarioInput input) => input == ScenarioInput.Inline ? InlineBytes : ExternalModelBytes + ExternalDataBytes;

    public string NewOutputFolder(string scenarioId, int run)
    {
        var folder = Path.Combine(Root, "out", $"{scenarioId}-{run}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static void DeleteFolder(string folder) => Directory.Delete(folder, recursive: true);

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
