namespace CompressBuild.Engine.Evaluation;

/// <summary>What a model costs to ship: its file plus external data files, raw and zipped.</summary>
/// <param name="Files">The model file and its external data files, model first, then data files by name.</param>
public sealed record ModelSize(long Bytes, long ZipBytes, IReadOnlyList<string> Files);
