using CompressBuild.Engine.Pipeline.Passes;

namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>One entry of a model's <c>passes</c>: the pass (from <see cref="PassRegistry"/>) and its validated settings.</summary>
public sealed record ConfiguredPass(IPass Pass, ConfigValues Settings);
