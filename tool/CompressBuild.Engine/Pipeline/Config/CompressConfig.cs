namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>A loaded, validated compress.yaml.</summary>
public sealed record CompressConfig(string Path, int Version, string? Baseline, IReadOnlyList<ModelConfig> Models);
