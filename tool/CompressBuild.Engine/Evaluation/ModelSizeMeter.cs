using System.IO.Compression;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx;

namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// Measures a model file with its external data (what a package ships) and its zip size (what a download costs:
/// sparse and quantized weights compress far better than float ones, which the raw size alone hides).
/// </summary>
public static class ModelSizeMeter
{
    public static ModelSize Measure(OnnxModel model, string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var dataFiles = ModelTensors.All(model.Proto)
            .Where(ExternalDataReference.IsExternal)
            .Select(t => ExternalDataReference.Parse(t, path).Location)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var files = new List<string> { path };
        files.AddRange(dataFiles.Select(d => Path.Combine(Path.GetDirectoryName(path) ?? "", d)));
        var bytes = new FileInfo(path).Length + dataFiles.Sum(d => new FileInfo(Path.Combine(folder, d)).Length);

        var counter = new CountingStream();
        using (var zip = new ZipArchive(counter, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, full) in dataFiles.Select(d => (d, Path.Combine(folder, d))).Prepend((Path.GetFileName(path), Path.GetFullPath(path))))
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                using var source = File.OpenRead(full);
                using var target = entry.Open();
                source.CopyTo(target);
            }
        }

        return new ModelSize(bytes, counter.Count, files);
    }
}
