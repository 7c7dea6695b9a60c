using CompressBuild.Engine.Onnx;

namespace CompressBuild.Tool.Commands;

/// <summary>What <c>convert --opset --json</c> prints: the file written and the opset conversion.</summary>
internal sealed record ConvertResult(ModelSaveResult Saved, long OpsetBefore, long OpsetAfter, IReadOnlyDictionary<string, int> AdaptedNodes);
