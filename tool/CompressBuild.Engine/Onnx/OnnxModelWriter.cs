using System.Text;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx.Proto;
using Google.Protobuf;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// Writes ONNX models atomically, inline or with external data. Works on a clone of the message whose byte
/// strings are shared with the original (protobuf byte strings are immutable), so saving never holds a second
/// copy of the weights; external tensors are streamed from their old file to their new one in chunks.
/// </summary>
public static class OnnxModelWriter
{
    private const long LargeTensorBytes = 1L << 20;

    private const int SerializeBufferBytes = 1 << 20;

    // ONNX's own writer aligns large tensors to 64 KiB so runtimes can memory-map them on every OS.
    private const long LargeTensorAlignment = 1L << 16;

    public static ModelSaveResult Save(OnnxModel model, string path, ModelSaveOptions? options = null)
    {
        options ??= ModelSaveOptions.Default;
        var fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new CompressBuildException(DiagnosticCodes.OutputPathInvalid, "the output path is a folder; give a file name such as model.onnx.", path);
        }

        if (options.SizeThreshold < 0)
        {
            throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, $"size threshold {options.SizeThreshold} must not be negative.", path);
        }

        // The writer itself can replace its own source (it reads every tensor before the rename); a command that
        // must never do so lists what it reads in options.Reads (ModelFiles.ReadBy and its data files).
        var reads = options.Reads.ToList();
        OutputGuard.Check(path, reads);
        var folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);

        var proto = model.Proto.Clone();
        var tensors = ModelTensors.All(proto).ToList();
        var (layout, forced) = ChooseLayout(tensors, options);
        var externals = new List<TensorProto>();
        foreach (var tensor in tensors)
        {
            if (GoesExternal(tensor, layout, options.SizeThreshold))
            {
                externals.Add(tensor);
            }
            else if (ExternalDataReference.IsExternal(tensor))
            {
                Inline(tensor, model);
            }
        }

        var temps = new List<(string Temp, string Final)>();
        try
        {
            var dataFiles = WriteExternalData(model, externals, layout, fullPath, options, reads, temps);
            var modelTemp = AtomicFile.CreateTempPathFor(fullPath);
            temps.Add((modelTemp, fullPath));
            long modelBytes;
            using (var stream = AtomicFile.OpenTemp(modelTemp))
            {
                // protobuf's default 4 KiB buffer copies each inline weight twice on its way out (4 KiB pieces into
                // its buffer, then into the FileStream's); a 1 MiB buffer is larger than the FileStream's, whose
                // writes then go straight to the file.
                var output = new CodedOutputStream(stream, SerializeBufferBytes, leaveOpen: true);
                proto.WriteTo(output);
                output.Flush();
                stream.Flush(flushToDisk: true);
                modelBytes = stream.Length;
            }

            // Data first, model last: a reader that finds the new model also finds its data.
            foreach (var (temp, final) in temps)
            {
                AtomicFile.Publish(temp, final);
            }

            temps.Clear();
            return new ModelSaveResult(fullPath, modelBytes, dataFiles.Select(d => d.Name).ToList(), dataFiles.Sum(d => d.Bytes), externals.Count, forced);
        }
        finally
        {
            foreach (var (temp, _) in temps)
            {
                AtomicFile.DeleteQuietly(temp);
            }
        }
    }

    private static (ExternalDataLayout Layout, bool Forced) ChooseLayout(List<TensorProto> tensors, ModelSaveOptions options)
    {
        if (options.Layout is ExternalDataLayout.SingleFile or ExternalDataLayout.PerTensor)
        {
            return (options.Layout, false);
        }

        long inlineBytes = 0;
        foreach (var tensor in tensors)
        {
            if (options.Layout == ExternalDataLayout.Inline || !ExternalDataReference.IsExternal(tensor))
            {
                inlineBytes += TensorData.StoredByteCount(tensor);
            }
        }

        return inlineBytes > options.InlineLimitBytes ? (ExternalDataLayout.SingleFile, true) : (options.Layout, false);
    }

    private static bool GoesExternal(TensorProto tensor, ExternalDataLayout layout, long threshold) => layout switch
    {
        ExternalDataLayout.Inline => false,
        ExternalDataLayout.Keep => ExternalDataReference.IsExternal(tensor),
        _ => tensor.DataType != (int)TensorProto.Types.DataType.String && TensorData.RawByteCount(tensor) >= threshold,
    };

    private static void Inline(TensorProto tensor, OnnxModel model)
    {
        var bytes = TensorData.ReadRawBytes(tensor, model);
        tensor.ExternalData.Clear();
        tensor.ClearDataLocation();
        tensor.RawData = UnsafeByteOperations.UnsafeWrap(bytes);
    }

    private static List<(string Name, long Bytes)> WriteExternalData(
        OnnxModel model, List<TensorProto> externals, ExternalDataLayout layout, string modelPath, ModelSaveOptions options, List<string> reads, List<(string Temp, string Final)> temps)
    {
        var written = new List<(string Name, long Bytes)>();
        if (externals.Count == 0)
        {
            return written;
        }

        var folder = Path.GetDirectoryName(modelPath)!;
        if (layout == ExternalDataLayout.PerTensor)
        {
            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Path.GetFileName(modelPath) };
            foreach (var tensor in externals)
            {
                var name = UniqueFileName(tensor.Name, used, folder);
                written.Add((name, WriteDataFile(model, [tensor], folder, name, temps)));
            }

            return written;
        }

        var dataName = options.DataFileName ?? Path.GetFileName(modelPath) + ".data";
        OutputGuard.Check(ConfinedPath.Resolve(folder, dataName, modelPath), reads);
        written.Add((dataName, WriteDataFile(model, externals, folder, dataName, temps)));
        return written;
    }

    private static long WriteDataFile(OnnxModel model, IReadOnlyList<TensorProto> tensors, string folder, string name, List<(string Temp, string Final)> temps)
    {
        var final = Path.Combine(folder, name);
        var temp = AtomicFile.CreateTempPathFor(final);
        temps.Add((temp, final));
        using var stream = AtomicFile.OpenTemp(temp);
        foreach (var tensor in tensors)
        {
            var size = TensorData.RawByteCount(tensor);
            if (size >= LargeTensorBytes && stream.Length % LargeTensorAlignment != 0)
            {
                stream.SetLength(stream.Length + LargeTensorAlignment - (stream.Length % LargeTensorAlignment));
                stream.Position = stream.Length;
            }

            var offset = stream.Position;
            TensorData.CopyRawBytesTo(tensor, model.BaseDirectory, model.DisplayName, stream);
            var length = stream.Position - offset;
            ClearValues(tensor);
            new ExternalDataReference(name, offset, length, Checksum: null).WriteTo(tensor);
        }

        stream.Flush(flushToDisk: true);
        return stream.Length;
    }

    private static void ClearValues(TensorProto tensor)
    {
        tensor.ClearRawData();
        tensor.FloatData.Clear();
        tensor.Int32Data.Clear();
        tensor.Int64Data.Clear();
        tensor.DoubleData.Clear();
        tensor.Uint64Data.Clear();
    }

    /// <summary>
    /// A file name for one tensor that no other tensor of this model uses and that does not exist yet: another
    /// model's per-tensor files (or this model's input files) may share the folder, and must never be replaced.
    /// </summary>
    private static string UniqueFileName(string tensorName, HashSet<string> used, string folder)
    {
        var builder = new StringBuilder(tensorName.Length);
        foreach (var c in tensorName)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        var stem = builder.ToString().Trim('.');
        if (stem.Length == 0)
        {
            stem = "tensor";
        }

        var candidate = stem + ".bin";
        for (var i = 1; Path.Exists(Path.Combine(folder, candidate)) || !used.Add(candidate); i++)
        {
            candidate = $"{stem}_{i}.bin";
        }

        return candidate;
    }
}
