namespace CompressBuild.Benchmarks.Quantization;

/// <param name="Width">Rows and columns of each synthetic MLP layer.</param>
/// <param name="Layers">Layers of the synthetic MLP.</param>
/// <param name="Repeat">Runs per timing (median reported).</param>
/// <param name="ChildSamples">Internal: run one int8-static quantization with this many samples and print the peak memory.</param>
internal sealed record QuantizeBenchmarkOptions(int Width, int Layers, int Repeat, int Iterations, int? ChildSamples, string? ChildModel, string? ChildData);
