using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pipeline.Config;

namespace CompressBuild.Engine.Pipeline.Passes;

/// <summary>
/// One kind of pass a compress.yaml can list (prune, quantize): its name, the schema section describing its
/// settings (which the CLI's options, the JSON Schema and the MSBuild metadata are derived from), and how it is
/// applied. Every pass is one class registered in <see cref="PassRegistry"/>; nothing else names a pass.
/// </summary>
public interface IPass
{
    /// <summary>compress.yaml's key for the pass (<c>- prune: {...}</c>), also its name in plans and reports.</summary>
    string Name { get; }

    ConfigSection Schema { get; }

    /// <summary>Binds <paramref name="plan"/>'s settings (raising their errors) and applies the pass; <paramref name="model"/> is not modified.</summary>
    PassApplication Apply(OnnxModel model, PassPlan plan);

    /// <summary>The main choices, for tables: "channel 0.25", "int8-static keep-float 2".</summary>
    string Brief(PassPlan plan);

    /// <summary>What the pass did to the model, in a build's one-line summary: "channel 25% pruned", "int8-static (2 layers float)".</summary>
    string Summary(PassPlan plan);
}
