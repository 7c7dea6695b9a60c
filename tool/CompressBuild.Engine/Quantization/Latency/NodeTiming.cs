namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>One node of ONNX Runtime's optimized graph: its kernel's median time over the profiled runs.</summary>
/// <param name="Node">The name ORT gave the node (a fused node carries a suffix such as <c>_nchwc</c> or <c>_token_12</c>).</param>
/// <param name="OpType">The kernel's op type (QLinearConv, Conv, FusedConv, ReorderInput...).</param>
public sealed record NodeTiming(string Node, string OpType, double MedianMicroseconds);
