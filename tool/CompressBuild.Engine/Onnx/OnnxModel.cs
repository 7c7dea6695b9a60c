using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// A loaded ONNX model: the protobuf message plus the folder its external data is resolved against.
/// Tensors stored as external data stay where they are until something reads them (<see cref="TensorData"/>),
/// so loading a large model does not pull its weights into memory twice.
/// </summary>
public sealed class OnnxModel
{
    public OnnxModel(ModelProto proto, string? baseDirectory, string? sourcePath = null)
    {
        Proto = proto;
        BaseDirectory = baseDirectory is null ? null : Path.GetFullPath(baseDirectory);
        SourcePath = sourcePath is null ? null : Path.GetFullPath(sourcePath);
    }

    public ModelProto Proto { get; }

    public GraphProto Graph => Proto.Graph ?? throw new InvalidOperationException("The model has no graph.");

    /// <summary>The folder external data locations are relative to; null for a model read from a stream with none.</summary>
    public string? BaseDirectory { get; }

    public string? SourcePath { get; }

    /// <summary>A display name for messages: the file the model came from, or "model".</summary>
    public string DisplayName => SourcePath ?? "model";

    public long OpsetVersion(string domain = "")
    {
        foreach (var opset in Proto.OpsetImport)
        {
            var d = opset.Domain == "ai.onnx" ? "" : opset.Domain;
            if (d == domain)
            {
                return opset.Version;
            }
        }

        return 0;
    }
}
