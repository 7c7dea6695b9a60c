using System.Security.Cryptography;
using System.Text;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx;

namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>
/// Builds a content-addressed cache key: SHA-256 over labelled parts (the model's bytes with its external data,
/// pass settings as canonical text, data files, tool and runtime versions). Labels and lengths are hashed too,
/// so no two different sets of parts can run together into the same stream.
/// </summary>
/// <param name="reads">When given, records every file hashed: the key covers every input a run reads, so these are its dependencies.</param>
public sealed class CacheKeyBuilder(DependencyCollector? reads = null) : IDisposable
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] buffer = new byte[1 << 16];

    public CacheKeyBuilder AddText(string label, string text)
    {
        Label(label, Encoding.UTF8.GetByteCount(text));
        hash.AppendData(Encoding.UTF8.GetBytes(text));
        return this;
    }

    /// <summary>A file's bytes, or for a folder every file below it in ordinal order of relative path.</summary>
    public CacheKeyBuilder AddPath(string label, string path)
    {
        if (Directory.Exists(path))
        {
            var files = Directory.GetFiles(path, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(path, f).Replace('\\', '/'))
                .Order(StringComparer.Ordinal);
            foreach (var relative in files)
            {
                AddFile($"{label}/{relative}", Path.Combine(path, relative));
            }

            return this;
        }

        return AddFile(label, path);
    }

    /// <summary>The model file and every external data file it references.</summary>
    public CacheKeyBuilder AddModel(string label, OnnxModel model)
    {
        AddFile(label, model.SourcePath ?? throw new ArgumentException("the model was not read from a file.", nameof(model)));
        var locations = ModelTensors.All(model.Proto).Where(ExternalDataReference.IsExternal)
            .Select(t => ExternalDataReference.Parse(t, model.DisplayName).Location)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var location in locations)
        {
            AddFile($"{label}:{location}", ConfinedPath.Resolve(model.BaseDirectory!, location, model.DisplayName));
        }

        return this;
    }

    public string Build() => Convert.ToHexStringLower(hash.GetHashAndReset());

    public void Dispose() => hash.Dispose();

    private CacheKeyBuilder AddFile(string label, string path)
    {
        reads?.Add(path);
        using var stream = InputFile.OpenRead(path, bufferSize: 1);
        Label(label, stream.Length);
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        return this;
    }

    private void Label(string label, long length)
    {
        hash.AppendData(Encoding.UTF8.GetBytes($"\n{label}\n{length}\n"));
    }
}
