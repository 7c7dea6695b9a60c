namespace CompressBuild.Engine.Inspection;

/// <param name="Type">ONNX type in words: <c>tensor(float32)</c>, <c>seq(tensor(int64))</c>, <c>map(string,tensor(float32))</c>.</param>
/// <param name="Shape">Dimensions with symbolic names kept (<c>batch</c>) and <c>?</c> for unknown ones; empty for non-tensors.</param>
public sealed record ValueEntry(string Name, string Type, IReadOnlyList<string> Shape);
