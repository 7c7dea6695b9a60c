namespace CompressBuild.Engine.Quantization.Fusion;

/// <summary>A node the quantizer gave QDQ inputs that ONNX Runtime still runs in float, and why.</summary>
public sealed record UnfusedNode(string Node, string OpType, string Reason);
