using System.Globalization;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Quantization;

namespace CompressBuild.Engine.Pipeline.Passes;

/// <summary>compress.yaml's <c>quantize</c> pass: <see cref="QuantizeBinding"/> then <see cref="QuantizationPass"/>.</summary>
public sealed class QuantizePass : IPass
{
    /// <summary>Pass advisories a build must see: fp16 nodes kept float32 or not measured (the others stay in the pass summary).</summary>
    private static readonly HashSet<string> Surfaced = new(StringComparer.Ordinal) { DiagnosticCodes.Fp16NodesKeptFloat.Id, DiagnosticCodes.Fp16NotMeasured.Id };

    public string Name => "quantize";

    public ConfigSection Schema => CompressConfigSchema.Quantize;

    public PassApplication Apply(OnnxModel model, PassPlan plan)
    {
        var result = QuantizationPass.Run(model, QuantizeBinding.Bind(plan)).Result;
        var advisories = result.Advisories.Where(a => Surfaced.Contains(a.Code))
            .Select(a => new Advisory(new DiagnosticCode(int.Parse(a.Code.AsSpan(2), CultureInfo.InvariantCulture)), a.Message))
            .ToList();
        advisories.InsertRange(0, QuantizeBinding.Ignored(plan));
        return new PassApplication(result.Model, $"{Name} {QuantizationModes.NameOf(result.Mode)}: {result.QuantizedCount} of {result.Nodes.Count} nodes quantized", result.QuantizedCount, advisories)
        {
            Fusion = result.Fusion,
            Trace = [.. new[] { result.RoundingChoice is { } choice ? $"{Name} rounding: {choice.Summary}" : null,
                result.TailRanges is { } tails ? $"{Name} ranges: {tails.Summary}" : null }.OfType<string>()],
        };
    }

    public string Brief(PassPlan plan) =>
        string.Join(" ", new[] { Name, plan.Text("mode"), plan.Get("keep_float_top") is long k ? $"keep-float {k.ToString(CultureInfo.InvariantCulture)}" : null }.OfType<string>());

    public string Summary(PassPlan plan) =>
        (plan.Text("mode") ?? "quantized") + (plan.Get("keep_float_top") is { } k ? string.Create(CultureInfo.InvariantCulture, $" ({k} layers float)") : "");
}
