namespace CompressBuild.Engine.Inspection;

/// <param name="OpType">The op type, prefixed with its domain unless it is the default ONNX domain.</param>
public sealed record OpTypeCount(string OpType, int Count);
