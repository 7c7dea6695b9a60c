using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;

namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>Reads compress.yaml: bounded parse, schema validation, and the checks that span models.</summary>
public static class CompressConfigLoader
{
    public const string DefaultFileName = "compress.yaml";

    public static CompressConfig Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var info = new FileInfo(full);
        if (!info.Exists)
        {
            throw new CompressBuildException(DiagnosticCodes.ConfigFileNotFound, Directory.Exists(full) ? "is a folder; give the compress.yaml file." : "configuration file not found.", path);
        }

        // Refused before reading: a huge file is never pulled into memory.
        if (info.Length > ConfigParser.MaxFileBytes)
        {
            throw new CompressBuildException(DiagnosticCodes.ConfigRefused, $"the file is {info.Length} bytes; a compress.yaml may have at most {ConfigParser.MaxFileBytes}.", path);
        }

        // The length above is 0 for /dev/zero and a FIFO: the read itself is bounded too, and refuses those.
        return Parse(InputFile.ReadAllText(full, ConfigParser.MaxFileBytes, DiagnosticCodes.ConfigRefused, path), path, info.DirectoryName!);
    }

    public static CompressConfig Parse(string text, string file, string baseDirectory)
    {
        var root = ConfigValidator.Validate(ConfigParser.Parse(text, file), CompressConfigSchema.Root, baseDirectory);
        var models = new List<ModelConfig>();
        foreach (var model in root.Sections("models"))
        {
            var modelPath = model.Text("path")!;
            var name = model.Text("name") ?? System.IO.Path.GetFileNameWithoutExtension(modelPath);
            if (models.FirstOrDefault(m => m.Name == name) is { } clash)
            {
                var at = model.NodeOf(model.Has("name") ? "name" : "path");
                throw new CompressBuildException(DiagnosticCodes.ConfigInvalidValue,
                    $"two models are named '{name}' (the other at line {clash.Source.Source.Line}); give one a different 'name'.", at.File, at.Line, at.Column);
            }

            var output = model.Text("output") ?? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(modelPath)!, name + ".compressed.onnx");
            if (string.Equals(System.IO.Path.GetFullPath(output), modelPath, StringComparison.Ordinal))
            {
                var at = model.NodeOf("output");
                throw new CompressBuildException(DiagnosticCodes.ConfigInvalidValue, "'output' is the model itself; the original must stay untouched.", at.File, at.Line, at.Column);
            }

            models.Add(new ModelConfig(name, modelPath, output, model.Passes("passes"), model.Section("evaluation"), model.Section("budgets"), model.Section("search"), model));
        }

        if (models.Count == 0)
        {
            var at = root.NodeOf("models");
            throw new CompressBuildException(DiagnosticCodes.ConfigMissingKey, "'models' is empty; list at least one model.", at.File, at.Line, at.Column);
        }

        return new CompressConfig(System.IO.Path.GetFullPath(file), (int)root.WholeNumber("version")!.Value, root.Text("baseline"), models)
        {
            Runtime = root.Section("runtime"),
        };
    }
}
