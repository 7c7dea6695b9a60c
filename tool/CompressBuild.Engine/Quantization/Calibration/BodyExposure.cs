using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>
/// Makes the float values of a Loop or Scan body observable in the calibration copy: each one becomes an extra scan
/// output of the body (through an Identity), which Loop and Scan stack over the iterations into a new output of the
/// node, a main-graph value ONNX Runtime can expose. Its histogram then covers every iteration of every sample. The
/// user's model is never changed; only the calibration copy's node and its cloned body grow outputs.
/// </summary>
internal static class BodyExposure
{
    /// <summary>
    /// Adds the scan outputs to <paramref name="copy"/> (the calibration graph's Loop/Scan node) for the float values of its body
    /// (the original's, with the Ifs decided on the calibration data inlined); returns the body's names mapped to the stacked
    /// outputs (with <paramref name="renames"/> for the values it reads from enclosing scopes), or null when the node has no such body.
    /// </summary>
    public static Dictionary<string, string>? Expose(NodeProto copy, Dictionary<string, string> renames, Func<string, string> fresh, IReadOnlyDictionary<string, int> outerTypes)
    {
        if (copy.OpType is not ("Loop" or "Scan") || copy.Domain is not ("" or "ai.onnx") || NodeAttributes.Graph(copy, "body") is not { } body)
        {
            return null;
        }

        var scope = new Dictionary<string, string>(renames, StringComparer.Ordinal);
        var types = ValueTypes.Infer(body, outerTypes);
        // Loop's first body input is the iteration count and its second the condition; Scan's are all state or scan slices.
        var inputs = body.Input.Select(i => i.Name).Skip(copy.OpType == "Loop" ? 2 : 0);
        var values = inputs.Concat(body.Node.SelectMany(n => n.Output)).Where(v => v.Length > 0 && ValueTypes.IsFloat(types, v)).Distinct(StringComparer.Ordinal).ToList();
        var scanOutputs = 0;
        foreach (var value in values)
        {
            var inner = fresh(value + "__calibration");
            body.Node.Add(new NodeProto { OpType = "Identity", Name = fresh(value + "__expose"), Input = { value }, Output = { inner } });
            body.Output.Add(new ValueInfoProto { Name = inner, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
            var stacked = fresh(value + "__iterations");
            copy.Output.Add(stacked);
            scope[value] = stacked;
            scanOutputs++;
        }

        // Scan's per-output attributes, when given, must cover the new outputs too (stacked along axis 0, forward).
        foreach (var name in new[] { "scan_output_directions", "scan_output_axes" })
        {
            if (NodeAttributes.Find(copy, name) is { } attribute)
            {
                attribute.Ints.Add(Enumerable.Repeat(0L, scanOutputs));
            }
        }

        return scope;
    }
}
