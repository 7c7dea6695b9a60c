namespace CompressBuild.Benchmarks.Reporting;

/// <summary>The generated model: <paramref name="Layers"/> MatMul+Add(+Relu) layers of Width x Width float32 weights.</summary>
internal sealed record ModelDescription(int Layers, int Width, long InlineBytes, long ExternalModelBytes, long ExternalDataBytes);
