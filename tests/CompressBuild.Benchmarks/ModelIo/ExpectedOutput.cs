namespace CompressBuild.Benchmarks.ModelIo;

/// <summary>What a scenario's output must be byte-identical to; a fast save that writes the wrong bytes proves nothing.</summary>
internal enum ExpectedOutput
{
    None,
    InlineModel,
    ExternalModel,
}
