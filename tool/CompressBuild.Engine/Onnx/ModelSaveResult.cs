namespace CompressBuild.Engine.Onnx;

/// <param name="ExternalDataForcedBySize">The model would have passed protobuf's 2 GiB limit inline, so weights were moved out.</param>
/// <param name="DataFiles">Data files written beside the model, relative to its folder, in write order.</param>
public sealed record ModelSaveResult(string Path, long ModelBytes, IReadOnlyList<string> DataFiles, long DataBytes, int ExternalTensors, bool ExternalDataForcedBySize);
