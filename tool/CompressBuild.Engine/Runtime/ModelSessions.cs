using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx;
using Google.Protobuf;

namespace CompressBuild.Engine.Runtime;

/// <summary>
/// Opens ONNX Runtime sessions on models held in memory (a candidate a pass just produced, a model with extra
/// outputs exposed for calibration) and on files, turning ORT's refusal into CB2008 naming the model.
/// </summary>
public static class ModelSessions
{
    /// <summary>Opens a model file; our reader has usually checked it already, ORT gets the path so it maps external data itself.</summary>
    public static InferenceSession Open(string path, SessionSettings? settings = null)
    {
        CheckExternalData(path);
        try
        {
            return RequireOutputs(InferenceSession.Create(path, settings), path);
        }
        catch (OrtException e) when (IsRejection(e))
        {
            throw Rejected(e, path);
        }
    }

    /// <summary>
    /// Opens an in-memory model. A self-contained model goes to ORT as bytes; one with external data is first
    /// written to a private temporary folder (ORT resolves external data against a file's folder), which is
    /// removed once the session holds its weights.
    /// </summary>
    public static InferenceSession Open(OnnxModel model, SessionSettings? settings = null)
    {
        var external = ModelTensors.All(model.Proto).Any(ExternalDataReference.IsExternal);
        if (!external && model.Proto.CalculateSize() < ModelSaveOptions.ProtobufLimitBytes)
        {
            try
            {
                return RequireOutputs(InferenceSession.Create(model.Proto.ToByteArray(), settings), model.DisplayName);
            }
            catch (OrtException e) when (IsRejection(e))
            {
                throw Rejected(e, model.DisplayName);
            }
        }

        using var folder = new ScratchFolder("session");
        var path = folder.File("model.onnx");
        OnnxModelWriter.Save(model, path, new ModelSaveOptions { Layout = ExternalDataLayout.SingleFile, DataFileName = "model.onnx.data" });
        try
        {
            return RequireOutputs(InferenceSession.Create(path, settings), model.DisplayName);
        }
        catch (OrtException e) when (IsRejection(e))
        {
            throw Rejected(e, model.DisplayName);
        }
    }

    /// <summary>
    /// ONNX Runtime opens a model's external data files itself when given a path. Before it does, each one is
    /// opened here as our own reader would (inside the model's folder after links, a regular file, long enough),
    /// so a model ORT is handed never points it at a FIFO, a device or a file outside its folder.
    /// </summary>
    private static void CheckExternalData(string path)
    {
        var model = OnnxModelReader.Load(path);
        if (model.BaseDirectory is null)
        {
            return;
        }

        var checkedFiles = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var tensor in ModelTensors.All(model.Proto).Where(ExternalDataReference.IsExternal))
        {
            var reference = ExternalDataReference.Parse(tensor, model.DisplayName);
            if (!checkedFiles.TryGetValue(reference.Location, out var size))
            {
                using var stream = ConfinedPath.OpenRead(model.BaseDirectory, reference.Location, model.DisplayName)
                    ?? throw new CompressBuildException(DiagnosticCodes.ExternalDataMissing,
                        $"tensor '{tensor.Name}' is stored in external file '{reference.Location}', which does not exist.", model.DisplayName);
                size = checkedFiles[reference.Location] = stream.Length;
            }

            var length = reference.Length ?? (size - reference.Offset);
            if (reference.Offset > size || length < 0 || length > size - reference.Offset)
            {
                throw new CompressBuildException(DiagnosticCodes.ExternalDataMissing,
                    $"tensor '{tensor.Name}' needs bytes {reference.Offset}..+{length} of '{reference.Location}', which has only {size}.", model.DisplayName);
            }
        }
    }

    /// <summary>
    /// ORT reports a model it cannot load under several codes: beyond the invalid-graph ones, a tensor whose data
    /// does not fit its shape is FAIL or INVALID_ARGUMENT. Creating a session reads nothing but the model, so any
    /// of these is about the model (CB2008, exit 4), not the environment.
    /// </summary>
    private static bool IsRejection(OrtException e) =>
        e.IsInvalidModel || e.ErrorCode is OrtErrorCode.Fail or OrtErrorCode.InvalidArgument or OrtErrorCode.RuntimeException or OrtErrorCode.NoSuchFile;

    /// <summary>A model with no outputs has nothing to compute; ORT would fail on the first run, blaming no file.</summary>
    private static InferenceSession RequireOutputs(InferenceSession session, string file)
    {
        if (session.Outputs.Count > 0)
        {
            return session;
        }

        session.Dispose();
        throw new CompressBuildException(DiagnosticCodes.ModelRejectedByRuntime, "the model has no outputs, so there is nothing to run.", file);
    }

    private static CompressBuildException Rejected(OrtException e, string file) =>
        new(DiagnosticCodes.ModelRejectedByRuntime, $"ONNX Runtime cannot load this model ({e.ErrorCode}): {e.Message}", file, inner: e);
}
