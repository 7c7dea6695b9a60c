using System.IO.Compression;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx;
using Google.Protobuf;

namespace CompressBuild.Engine.Pruning;

/// <summary>
/// The size of a model inside a zip archive (a .nupkg is one): what unstructured sparsity really buys, since
/// ONNX Runtime runs zeros as fast as any other weight. The entry has a fixed name and timestamp, so the
/// figure is reproducible.
/// </summary>
public static class CompressedSize
{
    private static readonly DateTimeOffset FixedTimestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Zip size of the serialized model (weights held in external files are not included).</summary>
    public static long Of(OnnxModel model)
    {
        using var counter = new CountingStream();
        using (var archive = new ZipArchive(counter, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = archive.CreateEntry("model.onnx", CompressionLevel.Optimal);
            entry.LastWriteTime = FixedTimestamp;
            using var stream = entry.Open();
            model.Proto.WriteTo(stream);
        }

        return counter.Count;
    }
}
