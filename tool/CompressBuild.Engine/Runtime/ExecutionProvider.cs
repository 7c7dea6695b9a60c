namespace CompressBuild.Engine.Runtime;

/// <summary>Where ONNX Runtime runs a session. Names on the command line and in compress.yaml: see <see cref="ExecutionProviders"/>.</summary>
public enum ExecutionProvider
{
    Cpu = 0,
    Cuda,
    TensorRT,
    DirectML,
    CoreML,
    OpenVino,
}
