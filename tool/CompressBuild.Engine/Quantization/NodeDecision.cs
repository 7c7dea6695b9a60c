namespace CompressBuild.Engine.Quantization;

/// <summary>What happened to one node: quantized (and how), or left float (and why).</summary>
public sealed record NodeDecision(string Node, string OpType, bool Quantized, string Detail);
