using CompressBuild.Engine.Onnx;

namespace CompressBuild.Tool.Commands;

internal sealed record ConvertOptions(string Model, string Output, ExternalDataLayout Layout, long SizeThreshold, bool Json)
{
    /// <summary>The default-domain opset to raise the model to; null keeps it.</summary>
    public int? Opset { get; init; }
}
