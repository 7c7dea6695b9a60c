using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;

namespace CompressBuild.Engine.Tests.Quantization;

/// <summary>Quantizes the trained digits fixtures and scores the result against the float model on the held-out test set.</summary>
internal static class DigitsQuantization
{
    public static string Path(string name) => System.IO.Path.Combine(RepositoryPaths.Digits, name);

    public static bool IsImage(string model) => model.StartsWith("cnn", StringComparison.Ordinal);

    public static Dataset Calibration(OnnxModel model, string modelName)
    {
        using var session = ModelSessions.Open(model);
        return DatasetLoader.Open(Path(IsImage(modelName) ? "calib_x_img.npy" : "calib_x_flat.npy"), session.Inputs);
    }

    public static QuantizationResult Quantize(string modelName, QuantizationOptions options)
    {
        var model = OnnxModelReader.Load(Path(modelName));
        return ModelQuantizer.Quantize(model, options, options.Mode == QuantizationMode.Int8Static ? Calibration(model, modelName) : null);
    }

    /// <summary>Float model against <paramref name="candidate"/> on the 497 held-out samples, with labels.</summary>
    public static ComparisonResult CompareOnTestSet(string modelName, OnnxModel candidate)
    {
        using var reference = ModelSessions.Open(Path(modelName));
        using var quantized = ModelSessions.Open(candidate);
        var data = DatasetLoader.Open(Path(IsImage(modelName) ? "test_x_img.npy" : "test_x_flat.npy"), reference.Inputs);
        return ModelComparison.Run(reference, quantized, data, Labels.Load(Path("test_labels.npy")));
    }

    public static byte[] Bytes(OnnxModel model, string path)
    {
        OnnxModelWriter.Save(model, path, ModelSaveOptions.Default);
        return File.ReadAllBytes(path);
    }

    /// <summary>ONNX's own checker (Debian python3-onnx), a judge that shares no code with us.</summary>
    public static (int ExitCode, string Text) OnnxCheck(string path) => OnnxChecker.Check(path);
}
