namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>A loaded, validated compress.yaml.</summary>
public sealed record CompressConfig(string Path, int Version, string? Baseline, IReadOnlyList<ModelConfig> Models)
{
    /// <summary>The runtime section (execution_provider, threads), when present.</summary>
    public ConfigValues? Runtime { get; init; }
}
