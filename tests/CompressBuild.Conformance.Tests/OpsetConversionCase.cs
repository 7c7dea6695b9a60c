namespace CompressBuild.Conformance.Tests;

/// <summary>One conformance model's result under opset conversion, with the reason when it did not pass.</summary>
internal sealed record OpsetConversionCase(string Suite, string Name, long FromOpset, OpsetConversionOutcome Outcome, string? Detail);
