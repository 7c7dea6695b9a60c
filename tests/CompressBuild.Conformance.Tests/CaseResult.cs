namespace CompressBuild.Conformance.Tests;

/// <summary>What happened to one model.</summary>
/// <param name="Detail">Why it is not <see cref="ConformanceOutcome.Passed"/> (first line only), or null.</param>
/// <param name="RoundTripEqual">The re-loaded copy's ModelProto equals the original's (false when loading or saving failed).</param>
/// <param name="ByteIdentical">The saved copy has the same bytes as the source file.</param>
/// <param name="Nondeterministic">The original model itself gave different outputs on two runs of the same inputs, so the
/// copy's outputs could not be required to match it bit for bit.</param>
internal sealed record CaseResult(
    string Suite,
    string Name,
    ConformanceOutcome Outcome,
    string? Detail,
    bool RoundTripEqual,
    bool ByteIdentical,
    bool Nondeterministic = false);
