namespace CompressBuild.Engine.Quantization.Fusion;

/// <summary>How many nodes of one op type ONNX Runtime's optimized graph holds.</summary>
public sealed record FusionCount(string OpType, int Count);
