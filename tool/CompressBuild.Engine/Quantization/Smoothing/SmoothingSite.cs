using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Smoothing;

/// <summary>A tensor whose every reader is a weighted layer and whose producer can absorb 1/s exactly.</summary>
internal sealed record SmoothingSite(string Tensor, ChannelAxis Axis, int Rank, int Channels, ProducerFold Producer, IReadOnlyList<NodeProto> Consumers);
