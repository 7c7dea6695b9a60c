using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;

namespace CompressBuild.Engine.Tests.Pruning;

/// <summary>Loading the digits fixtures and judging pruned models against them on the held-out test set.</summary>
internal static class PruningFixtures
{
    public static OnnxModel Load(string name) => OnnxModelReader.Load(Path.Combine(RepositoryPaths.Digits, name));

    public static string TestData(string model) => Path.Combine(RepositoryPaths.Digits, Flat(model) ? "test_x_flat.npy" : "test_x_img.npy");

    public static string CalibrationData(string model) => Path.Combine(RepositoryPaths.Digits, Flat(model) ? "calib_x_flat.npy" : "calib_x_img.npy");

    /// <summary>The MLPs and the transformer read the 64 pixels flat; the CNNs read 1x8x8 images.</summary>
    private static bool Flat(string model) => model.StartsWith("mlp", StringComparison.Ordinal) || model.StartsWith("transformer", StringComparison.Ordinal);

    /// <summary>Runs original and pruned on the test set (labels included); ORT loading the pruned model is part of the check.</summary>
    public static ComparisonResult Compare(OnnxModel original, OnnxModel pruned, string fixture)
    {
        using var reference = ModelSessions.Open(original);
        using var candidate = ModelSessions.Open(pruned);
        var data = DatasetLoader.Open(TestData(fixture), reference.Inputs);
        return ModelComparison.Run(reference, candidate, data, Labels.Load(Path.Combine(RepositoryPaths.Digits, "test_labels.npy")));
    }

    public static TensorProto Initializer(OnnxModel model, string name) => model.Graph.Initializer.Single(t => t.Name == name);

    public static float[] Weights(OnnxModel model, string name) => TensorData.ToSingles(Initializer(model, name), model);

    public static NodeProto Node(OnnxModel model, string output) => model.Graph.Node.Single(n => n.Output[0] == output);
}
