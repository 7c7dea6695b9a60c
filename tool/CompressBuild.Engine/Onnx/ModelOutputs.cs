using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// Exposes intermediate values as extra graph outputs, the way calibration and activation statistics read them
/// from ONNX Runtime. The model is cloned (weights are immutable byte strings shared with the original, so this
/// costs no copy of the weights).
/// </summary>
public static class ModelOutputs
{
    /// <summary>
    /// A copy of <paramref name="model"/> whose graph also outputs <paramref name="names"/>. A name's element type
    /// comes from the graph's value_info when it has one; otherwise the output is declared without a type and
    /// ONNX Runtime infers it, so integer and float values alike can be exposed.
    /// </summary>
    public static OnnxModel WithOutputs(OnnxModel model, IEnumerable<string> names)
    {
        var proto = model.Proto.Clone();
        var graph = proto.Graph;
        var present = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var known = graph.ValueInfo.Concat(graph.Input).GroupBy(v => v.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!present.Add(name))
            {
                continue;
            }

            graph.Output.Add(known.TryGetValue(name, out var info) && info.Type?.TensorType is not null
                ? new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = info.Type.TensorType.ElemType } } }
                : new ValueInfoProto { Name = name });
        }

        return new OnnxModel(proto, model.BaseDirectory, model.SourcePath);
    }
}
