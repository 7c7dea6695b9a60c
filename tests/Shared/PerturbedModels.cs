using CompressBuild.Engine.Onnx;

namespace CompressBuild.Testing;

/// <summary>
/// Candidates with a known amount of damage: every weight matrix of every Gemm multiplied by (1 + e * s) with s
/// a seeded random sign, so each weight is off by exactly <c>relativeError</c> of its value. The larger the error
/// the lower the cosine, SQNR and accuracy, which lets budget tests pass and fail on purpose.
/// </summary>
internal static class PerturbedModels
{
    public static string Write(string source, double relativeError, string path, ExternalDataLayout layout = ExternalDataLayout.Inline)
    {
        var model = OnnxModelReader.Load(source);
        var graph = model.Graph;
        var weights = graph.Node.Where(n => n.OpType == "Gemm").Select(n => n.Input[1]).ToHashSet(StringComparer.Ordinal);
        var random = new Random(42);
        for (var i = 0; i < graph.Initializer.Count; i++)
        {
            var tensor = graph.Initializer[i];
            if (!weights.Contains(tensor.Name))
            {
                continue;
            }

            var values = TensorData.ToSingles(tensor, model);
            for (var k = 0; k < values.Length; k++)
            {
                values[k] *= (float)(1 + (relativeError * (random.Next(2) == 0 ? -1 : 1)));
            }

            graph.Initializer[i] = TensorData.FromArray<float>(tensor.Name, tensor.Dims.ToArray(), values);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        OnnxModelWriter.Save(model, path, new ModelSaveOptions { Layout = layout, SizeThreshold = 1024 });
        return path;
    }
}
