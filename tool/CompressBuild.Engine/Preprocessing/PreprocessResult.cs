using System.Text.Json.Serialization;
using CompressBuild.Engine.Onnx;

namespace CompressBuild.Engine.Preprocessing;

/// <summary>The pre-processed model (a new one) and what each transformation changed (what --json reports).</summary>
public sealed record PreprocessResult([property: JsonIgnore] OnnxModel Model, long OpsetBefore, long OpsetAfter)
{
    /// <summary>Nodes the opset conversion rewrote, by op type.</summary>
    public IReadOnlyDictionary<string, int> AdaptedNodes { get; init; } = new Dictionary<string, int>();

    public int ConstantsPromoted { get; init; }

    public int IdentitiesRemoved { get; init; }

    public int DropoutsRemoved { get; init; }

    /// <summary>Nodes whose outputs were all constant, replaced by initializers (Shape of static shapes included).</summary>
    public int NodesFolded { get; init; }

    public int BatchNormalizationsFolded { get; init; }

    public int InitializersRemoved { get; init; }

    /// <summary>value_info entries written from ONNX Runtime's shape inference.</summary>
    public int ShapesInferred { get; init; }

    public IReadOnlyList<PreprocessAdvisory> Advisories { get; init; } = [];

    public bool OpsetChanged => OpsetBefore != OpsetAfter;

    /// <summary>The one-line account of <see cref="Describe"/>, for JSON readers.</summary>
    public string Summary => Describe();

    /// <summary>One line for people: what changed, or that nothing did.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (OpsetChanged)
        {
            var adapted = AdaptedNodes.Count == 0 ? "" : " (" + string.Join(", ", AdaptedNodes.Select(kv => $"{kv.Key} {kv.Value}")) + " rewritten)";
            parts.Add($"opset {OpsetBefore} -> {OpsetAfter}{adapted}");
        }

        void Add(int count, string what)
        {
            if (count > 0)
            {
                parts.Add($"{count} {what}");
            }
        }

        Add(ConstantsPromoted, "Constant weights promoted");
        Add(IdentitiesRemoved, "Identity removed");
        Add(DropoutsRemoved, "Dropout removed");
        Add(NodesFolded, "constant nodes folded");
        Add(BatchNormalizationsFolded, "BatchNormalization folded");
        Add(InitializersRemoved, "unused initializers removed");
        Add(ShapesInferred, "shapes inferred");
        return parts.Count == 0 ? "nothing to change" : string.Join(", ", parts);
    }
}
