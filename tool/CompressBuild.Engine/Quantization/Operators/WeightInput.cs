using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Operators;

/// <param name="Index">Which input of the node holds the weight.</param>
/// <param name="Axis">The output-channel axis for per-channel scales; -1 for one scale per tensor.</param>
internal sealed record WeightInput(int Index, TensorProto Tensor, int Axis);
