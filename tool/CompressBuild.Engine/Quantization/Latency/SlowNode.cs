namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>A quantized node whose integer kernel ran slower on this machine than the float kernel it replaced.</summary>
public sealed record SlowNode(string Node, string OpType, double QuantizedMicroseconds, double FloatMicroseconds);
