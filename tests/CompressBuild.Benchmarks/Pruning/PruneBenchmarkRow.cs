namespace CompressBuild.Benchmarks.Pruning;

internal sealed record PruneBenchmarkRow(
    string Model,
    double Sparsity,
    int RoundTo,
    long ParametersBefore,
    long ParametersAfter,
    double OriginalMedianMs,
    double PrunedMedianMs,
    double Speedup,
    double OriginalP90Ms,
    double PrunedP90Ms);
