using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// The concrete shape of every value, read from ONNX Runtime itself: one run on seeded random inputs (symbolic
/// dimensions 1) with every node output exposed. This is the shape inference the channel graph relies on
/// (spatial size before a Flatten, broadcasting, ranks), and it agrees with the runtime by construction.
/// Outputs are exposed without a declared type, so ORT infers each one (ints and floats alike).
/// </summary>
internal static class ShapeProbe
{
    public static IReadOnlyDictionary<string, long[]> Run(OnnxModel model) => Run(model, null);

    /// <param name="sample">Inputs to run on (their sizes fix symbolic dimensions); null: seeded random ones, symbolic dimensions 1.</param>
    public static IReadOnlyDictionary<string, long[]> Run(OnnxModel model, IReadOnlyList<HostTensor>? sample)
    {
        var probe = ModelOutputs.WithOutputs(model, model.Graph.Node.Where(n => n.OpType != "Constant").SelectMany(n => n.Output).Where(o => o.Length > 0));
        using var session = ModelSessions.Open(probe, SessionSettings.Default with { OptimizationLevel = GraphOptimizationLevel.None });
        var inputs = sample ?? RandomInputs.Create(session.Inputs, new Dictionary<string, long>());
        var outputs = session.Run(inputs, session.Outputs.Where(o => o.IsTensor).Select(o => o.Name).ToList());
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var tensor in inputs.Concat(outputs))
        {
            shapes[tensor.Name] = tensor.Shape;
        }

        return shapes;
    }
}
