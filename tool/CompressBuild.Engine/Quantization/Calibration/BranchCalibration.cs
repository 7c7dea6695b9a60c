using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>
/// A calibration copy of a model in which the If branches the calibration data takes are inlined (see
/// <see cref="BranchInlining"/>), so that the values computed inside them are main-graph values ONNX Runtime can expose
/// as outputs. <see cref="Name"/> maps a value of an original body to its name in <see cref="Model"/>.
/// </summary>
internal sealed class BranchCalibration(OnnxModel model, Dictionary<GraphProto, Dictionary<string, string>> scopes, Dictionary<GraphProto, string> unobserved)
{
    private Dictionary<string, int>? types;

    /// <summary>The main graph with every branch taken on the calibration data inlined.</summary>
    public OnnxModel Model { get; } = model;

    /// <summary>The bodies whose values cannot be observed, each with the reason (never taken, a condition that varies, a Loop/Scan body).</summary>
    public IReadOnlyDictionary<GraphProto, string> Unobserved { get; } = unobserved;

    /// <summary>Whether the values of <paramref name="body"/> (an If branch of the model given to <see cref="BranchInlining.Inline"/>) can be calibrated.</summary>
    public bool Observes(GraphProto body) => scopes.ContainsKey(body);

    /// <summary>The name in <see cref="Model"/> of <paramref name="value"/> as <paramref name="body"/> (an observed branch) reads or writes it.</summary>
    public string Name(GraphProto body, string value) => scopes[body].GetValueOrDefault(value, value);

    /// <summary>
    /// The element types of the values <paramref name="body"/> reads or writes, by their names in the body, as they are in the
    /// calibration model (where the body's inputs from enclosing scopes have known producers).
    /// </summary>
    public Dictionary<string, int> Types(GraphProto body)
    {
        types ??= ValueTypes.Infer(Model.Graph);
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var value in body.Node.SelectMany(n => n.Input.Concat(n.Output)).Where(v => v.Length > 0))
        {
            if (types.TryGetValue(Name(body, value), out var type) && type != 0)
            {
                result[value] = type;
            }
        }

        return result;
    }
}
