using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>A constant input of a node that shrinks along <see cref="Axis"/>: index i follows channel node <c>Channels[i]</c>.</summary>
internal sealed record TensorSlice(NodeProto Node, int InputIndex, int Axis, int[] Channels, SliceRole Role);
