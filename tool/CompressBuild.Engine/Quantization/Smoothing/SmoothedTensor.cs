namespace CompressBuild.Engine.Quantization.Smoothing;

/// <summary>One tensor SmoothQuant rescaled: the node that now computes it divided by s, the nodes whose weights took s, and how far its widest channel came down.</summary>
public sealed record SmoothedTensor(string Tensor, string Producer, string ProducerOpType, IReadOnlyList<string> Consumers, int Channels, float MaxBefore, float MaxAfter);
