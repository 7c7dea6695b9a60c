namespace CompressBuild.Engine.Runtime;

/// <param name="Name">what users write: cpu, cuda, tensorrt, dml, coreml, openvino.</param>
/// <param name="OrtName">the name in ONNX Runtime's available-provider list.</param>
/// <param name="Package">the NuGet package whose native library has the provider.</param>
public sealed record ExecutionProviderInfo(ExecutionProvider Provider, string Name, string OrtName, string Package);
