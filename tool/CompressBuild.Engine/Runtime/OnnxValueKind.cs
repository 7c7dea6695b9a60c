namespace CompressBuild.Engine.Runtime;

/// <summary>ONNX Runtime's ONNXType: what kind of value an input or output is.</summary>
public enum OnnxValueKind
{
    Unknown = 0,
    Tensor = 1,
    Sequence = 2,
    Map = 3,
    Opaque = 4,
    SparseTensor = 5,
    Optional = 6,
}
