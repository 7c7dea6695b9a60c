namespace CompressBuild.Engine.Runtime;

/// <summary>A failed ONNX Runtime call: ORT's own error code and message.</summary>
public sealed class OrtException(OrtErrorCode errorCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public OrtErrorCode ErrorCode { get; } = errorCode;

    /// <summary>True when ORT refused the model itself (bad graph or protobuf), as opposed to a runtime failure.</summary>
    public bool IsInvalidModel => ErrorCode is OrtErrorCode.InvalidGraph or OrtErrorCode.InvalidProtobuf or OrtErrorCode.NoModel or OrtErrorCode.NotImplemented;
}
