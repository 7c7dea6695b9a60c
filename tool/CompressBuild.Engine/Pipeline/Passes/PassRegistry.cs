using CompressBuild.Engine.Pipeline.Config;

namespace CompressBuild.Engine.Pipeline.Passes;

/// <summary>
/// Every pass compress.yaml can list, in the order the schema shows them. Adding a pass: one <see cref="IPass"/>
/// class (with its schema section in <see cref="CompressConfigSchema"/>) and one line here.
/// </summary>
public static class PassRegistry
{
    public static IPass Prune { get; } = new PrunePass();

    public static IPass Quantize { get; } = new QuantizePass();

    public static IReadOnlyList<IPass> All { get; } = [Prune, Quantize];

    /// <summary>The pass named <paramref name="name"/>, or null.</summary>
    public static IPass? Find(string name) => All.FirstOrDefault(p => p.Name == name);

    /// <summary>The pass whose settings <paramref name="schema"/> describes.</summary>
    public static IPass For(ConfigSection schema) => All.First(p => ReferenceEquals(p.Schema, schema));
}
