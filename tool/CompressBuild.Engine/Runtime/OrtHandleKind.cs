namespace CompressBuild.Engine.Runtime;

/// <summary>Which ORT object a handle owns, and so which Release function frees it.</summary>
internal enum OrtHandleKind
{
    Session,
    SessionOptions,
    Value,
    TypeInfo,
    TensorTypeAndShapeInfo,
}
