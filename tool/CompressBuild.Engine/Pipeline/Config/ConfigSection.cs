namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>
/// A mapping of compress.yaml. <see cref="Shorthand"/> names the key a plain scalar stands for, so
/// <c>search: auto</c> means <c>search: { mode: auto }</c> and <c>calibration: data.npy</c> means
/// <c>calibration: { data: data.npy }</c>.
/// </summary>
public sealed record ConfigSection(string Name, string Description, IReadOnlyList<ConfigKey> Keys, string? Shorthand = null)
{
    public ConfigKey? Find(string name) => Keys.FirstOrDefault(k => k.Name == name);
}
