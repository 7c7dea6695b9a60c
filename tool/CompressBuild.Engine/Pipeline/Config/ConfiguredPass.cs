namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>One entry of a model's <c>passes</c>: the pass kind (prune, quantize) and its validated settings.</summary>
public sealed record ConfiguredPass(string Kind, ConfigValues Settings);
