using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;

namespace CompressBuild.Engine.Pipeline;

/// <summary>What a cache entry keeps about a trial, so a hit restores the verdict and every metric without recomputing.</summary>
public sealed record TrialRecord(int QuantizedLayers, IReadOnlyList<string> PassSummaries, VerificationResult Verification);
