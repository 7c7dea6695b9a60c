using System.Text;
using CompressBuild.Engine.Inspection;
using CompressBuild.Engine.Onnx;

namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>
/// Writes a commented starter compress.yaml for one model: its inputs and outputs, passes that suit its ops
/// (int8-static with calibration data, int8-dynamic without; channel pruning offered for Conv models), an
/// evaluation section and budgets. The result always loads: sections that need files the user did not name
/// are written as comments.
/// </summary>
public static class ConfigTemplate
{
    public static string Create(OnnxModel model, ConfigTemplateRequest request)
    {
        var inspection = ModelInspector.Inspect(model);
        var ops = inspection.OpTypes.ToDictionary(o => o.OpType, o => o.Count, StringComparer.Ordinal);
        var convs = ops.GetValueOrDefault("Conv");
        var matmuls = ops.GetValueOrDefault("MatMul") + ops.GetValueOrDefault("Gemm");
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');

        if (request.SchemaPath is { } schema)
        {
            Line($"# yaml-language-server: $schema={schema}");
        }

        Line("# CompressBuild pipeline: `dotnet compress run` (or an <OnnxModel Config=\"compress.yaml\" /> item) applies the");
        Line("# passes in order, verifies the result against the original on the evaluation data, and fails (exit 2) when");
        Line("# a budget is missed. Paths are relative to this file.");
        Line("#");
        Line($"# {Path.GetFileName(request.ModelPath)}: {inspection.NodeCount} nodes, {inspection.ParameterCount:N0} parameters; " +
            $"{string.Join(", ", inspection.OpTypes.Take(6).Select(o => $"{o.OpType} x{o.Count}"))}");
        foreach (var input in inspection.Inputs)
        {
            Line($"#   input  {input.Name}: {input.Type} [{string.Join(",", input.Shape)}]");
        }

        foreach (var output in inspection.Outputs)
        {
            Line($"#   output {output.Name}: {output.Type} [{string.Join(",", output.Shape)}]");
        }

        Line("version: 1");
        Line("# baseline: compress.baseline.json   # accepted metrics; `dotnet compress run --update-baseline` writes it");
        Line("models:");
        Line($"  - path: {Quote(request.ModelPath)}");
        Line($"    # output: out/{Path.GetFileNameWithoutExtension(request.ModelPath)}.onnx");
        Line("    passes:");
        if (convs > 0)
        {
            Line("      # Structured pruning removes whole channels, so the model gets smaller and faster:");
            Line("      # - prune: { method: channel, sparsity: 0.25, importance: l2, round_to: 8 }");
        }

        if (request.CalibrationData is { } calibration)
        {
            Line($"      - quantize: {{ mode: int8-static, calibration: {{ data: {Quote(calibration)}, method: percentile }} }}");
        }
        else if (convs > matmuls)
        {
            Line("      # int8-static is faster for Conv models; it needs calibration data (100-500 typical inputs):");
            Line("      #   - quantize: { mode: int8-static, calibration: { data: data/calib.npy, method: percentile } }");
            Line("      - quantize: { mode: int8-dynamic }");
        }
        else
        {
            Line("      - quantize: { mode: int8-dynamic }");
            Line("      # For MatMul-heavy models (transformers), 4-bit weights shrink the file about 7x:");
            Line("      #   - quantize: { mode: int4-weight, block_size: 32 }");
        }

        var data = request.EvaluationData;
        var comment = data is null ? "# " : "";
        if (data is null)
        {
            Line("    # Evaluation data (.npy stacked on the first axis, .npz, or test_data_set_N folders) and labels:");
        }

        Line($"    {comment}evaluation:");
        Line($"    {comment}  data: {Quote(data ?? "data/test.npy")}");
        if (request.Labels is { } labels)
        {
            Line($"      labels: {Quote(labels)}");
        }
        else
        {
            Line($"    {comment}  # labels: data/test_labels.npy");
        }

        Line("    budgets:");
        if (request.Labels is not null)
        {
            Line("      max_accuracy_drop: 0.01      # top-1 may fall by at most 1 point");
        }
        else
        {
            Line("      # max_accuracy_drop: 0.01    # needs labels");
        }

        // Explicit fidelity budgets (they replace the default floors of README "Fidelity floors"): agreement for
        // outputs shaped like class scores, cosine and SQNR for the others.
        if (inspection.Outputs.Any(o => o.Shape.Count == 2 && long.TryParse(o.Shape[^1], out var classes) && classes > 1))
        {
            Line("      min_agreement: 0.98          # top-1 class agrees with the original's on 98% of samples");
        }

        Line("      min_cosine: 0.99             # outputs stay close to the original's");
        Line("      min_sqnr: 20                 # dB of signal over the compression error, per output");
        Line("      min_size_ratio: 2.0          # at least 2x smaller");
        Line("      # min_speedup: 1.2           # missed only when the whole confidence interval lies below");
        Line("    search: auto                   # when a budget is missed, keep sensitive layers in float, prune less, or fall back");
        return text.ToString();
    }

    private static string Quote(string path)
    {
        var forward = path.Replace('\\', '/');
        return forward.Any(c => c is ':' or '#' or '{' or '}' or '[' or ']' or ',' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`') || forward.StartsWith(' ')
            || forward.EndsWith(' ')
            ? "'" + forward.Replace("'", "''", StringComparison.Ordinal) + "'"
            : forward;
    }
}
