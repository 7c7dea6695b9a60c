using CompressBuild.Engine.Onnx;

namespace CompressBuild.Conformance.Tests;

/// <summary>
/// Our model I/O on one file: load it, save it with the default options into a scratch folder, load the copy, and
/// compare the two messages (protobuf equality: every field, unknown fields included, floats bit for bit).
/// </summary>
internal sealed class ModelRoundTrip
{
    private ModelRoundTrip(OnnxModel original, OnnxModel copy, bool byteIdentical)
    {
        Original = original;
        Copy = copy;
        ByteIdentical = byteIdentical;
    }

    public OnnxModel Original { get; }

    public OnnxModel Copy { get; }

    public string CopyPath => Copy.SourcePath!;

    public bool Equal => Original.Proto.Equals(Copy.Proto);

    /// <summary>Whether the saved file has the same bytes as the source (reported, not required: encoders may differ).</summary>
    public bool ByteIdentical { get; }

    public static ModelRoundTrip Run(string modelPath, string folder)
    {
        var original = OnnxModelReader.Load(modelPath);
        var copyPath = Path.Combine(folder, Path.GetFileName(modelPath));
        OnnxModelWriter.Save(original, copyPath);
        var copy = OnnxModelReader.Load(copyPath);
        var byteIdentical = File.ReadAllBytes(modelPath).AsSpan().SequenceEqual(File.ReadAllBytes(copyPath));
        return new ModelRoundTrip(original, copy, byteIdentical);
    }
}
