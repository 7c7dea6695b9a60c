namespace CompressBuild.Tool.Commands;

/// <param name="Dims">Values for symbolic dimensions, by name (from --dim NAME=VALUE).</param>
/// <param name="Samples">How many samples of --data to cycle through while timing.</param>
internal sealed record BenchOptions(string Model, string? Data, IReadOnlyDictionary<string, long> Dims, int Threads, int Warmup, int Iterations, int Samples, bool Json);
