using CompressBuild.Engine.Evaluation;

namespace CompressBuild.Tool.Commands;

internal sealed record BenchResult(
    string Model,
    string Runtime,
    string Inputs,
    IReadOnlyList<BenchInput> InputShapes,
    int Threads,
    int Warmup,
    int Iterations,
    LatencyStatistics Latency,
    double ThroughputPerSecond);
