using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Tool.Commands;

/// <summary>Opens a session and names the file when ONNX Runtime refuses the model (CB2008) rather than failing later.</summary>
internal static class SessionFactory
{
    public static InferenceSession Create(string modelPath, SessionSettings settings)
    {
        try
        {
            return InferenceSession.Create(modelPath, settings);
        }
        catch (OrtException e) when (e.IsInvalidModel)
        {
            throw new CompressBuildException(DiagnosticCodes.ModelRejectedByRuntime, $"ONNX Runtime cannot load this model ({e.ErrorCode}): {e.Message}", modelPath, inner: e);
        }
    }
}
