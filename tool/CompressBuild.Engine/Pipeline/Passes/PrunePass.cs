using System.Globalization;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Pruning;

namespace CompressBuild.Engine.Pipeline.Passes;

/// <summary>compress.yaml's <c>prune</c> pass: <see cref="PruneBinding"/> then <see cref="ModelPruner"/>.</summary>
public sealed class PrunePass : IPass
{
    public string Name => "prune";

    public ConfigSection Schema => CompressConfigSchema.Prune;

    public PassApplication Apply(OnnxModel model, PassPlan plan)
    {
        var settings = PruneBinding.Bind(plan);
        var pruned = ModelPruner.Run(model, settings);
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{Name} {PruneMethods.Of(settings.Method).Name}: {pruned.MeasuredSparsity:P1} sparsity, parameters {pruned.ParametersBefore:N0} -> {pruned.ParametersAfter:N0}");
        return new PassApplication(pruned.Model, summary, null, []);
    }

    public string Brief(PassPlan plan) =>
        string.Join(" ", new[] { Name, Method(plan), plan.Get("sparsity") is double s ? s.ToString(CultureInfo.InvariantCulture) : null }.OfType<string>());

    public string Summary(PassPlan plan) =>
        Method(plan) + (plan.Get("sparsity") is double s ? string.Create(CultureInfo.InvariantCulture, $" {s * 100:0.#}%") : "") + " pruned";

    private static string Method(PassPlan plan) => plan.Text("method") ?? PruneMethods.Magnitude.Name;
}
