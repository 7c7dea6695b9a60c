using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx.Proto;
using Google.Protobuf;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// Reads ONNX models. Every way a file can be wrong (missing, empty, truncated, not protobuf, protobuf but not
/// a model, external data pointing outside the model's folder) becomes a <see cref="CompressBuildException"/>
/// with a CB2xxx code naming the file; nothing here lets a raw parser exception reach the user.
/// </summary>
public static class OnnxModelReader
{
    public static OnnxModel Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new CompressBuildException(DiagnosticCodes.ModelNotFound, "is a folder, not an ONNX model file.", path);
        }

        if (!File.Exists(fullPath))
        {
            throw new CompressBuildException(DiagnosticCodes.ModelNotFound, "model file not found.", path);
        }

        using var stream = InputFile.OpenRead(fullPath, displayName: path);
        return Load(stream, Path.GetDirectoryName(fullPath), fullPath, displayName: path);
    }

    /// <param name="baseDirectory">Folder external data is resolved against; null when the model must be self-contained.</param>
    public static OnnxModel Load(Stream stream, string? baseDirectory, string? sourcePath = null, string? displayName = null)
    {
        var name = displayName ?? sourcePath ?? "model";
        if (stream.CanSeek && stream.Length == 0)
        {
            throw new CompressBuildException(DiagnosticCodes.ModelEmpty, "model file is empty (0 bytes).", name);
        }

        ModelProto proto;
        try
        {
            // Real models nest subgraphs (If/Loop bodies inside bodies); protobuf's default depth of 100 is ample,
            // and a file deeper than that is far more likely hostile than real. A seekable stream (every file) goes
            // through LargeModelParser, which reads the weights without protobuf's second copy of each.
            proto = stream.CanSeek ? LargeModelParser.Parse(stream) : ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new CompressBuildException(DiagnosticCodes.ModelCorrupt, $"not a valid ONNX model: the file is truncated or is not an ONNX protobuf ({FirstSentence(e.Message)}).", name, inner: e);
        }

        Validate(proto, name);
        var model = new OnnxModel(proto, baseDirectory, sourcePath);
        CheckExternalDataLocations(model, name);
        return model;
    }

    private static void Validate(ModelProto proto, string name)
    {
        // Any byte string that happens to be well-formed protobuf parses as a ModelProto full of unknown fields;
        // a real model always has an IR version and a graph.
        if (!proto.HasIrVersion || proto.IrVersion <= 0 || proto.Graph is null)
        {
            var missing = !proto.HasIrVersion || proto.IrVersion <= 0 ? "no IR version" : "no graph";
            throw new CompressBuildException(DiagnosticCodes.ModelCorrupt, $"not an ONNX model: it parses as protobuf but has {missing}.", name);
        }

        foreach (var tensor in ModelTensors.All(proto))
        {
            TensorChecks.Validate(tensor, name);
        }

        try
        {
            GraphIndex.Build(proto.Graph).TopologicalOrder();
        }
        catch (CompressBuildException e) when (e.File is null)
        {
            throw new CompressBuildException(e.Code, e.Message, name, inner: e);
        }
    }

    private static void CheckExternalDataLocations(OnnxModel model, string name)
    {
        foreach (var tensor in ModelTensors.All(model.Proto))
        {
            if (!ExternalDataReference.IsExternal(tensor))
            {
                continue;
            }

            var reference = ExternalDataReference.Parse(tensor, name);
            if (model.BaseDirectory is not null)
            {
                ConfinedPath.Resolve(model.BaseDirectory, reference.Location, name);
            }
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }
}
