using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Reconstruction;

namespace CompressBuild.Engine.Tests.Reconstruction;

/// <summary>The layers the capture tests reconstruct: every node of the given types whose weight is a float initializer with a known geometry, without bias.</summary>
internal static class FloatWeightLayers
{
    public static List<ReconstructionTarget> Of(OnnxModel model, params string[] opTypes)
    {
        var types = opTypes.Length > 0 ? opTypes : ["Conv", "Gemm", "MatMul"];
        var initializers = model.Graph.Initializer.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return model.Graph.Node
            .Where(n => types.Contains(n.OpType) && n.Input.Count > 1 && initializers.TryGetValue(n.Input[1], out var w) && w.DataType == (int)TensorProto.Types.DataType.Float)
            .Select(n => (Node: n, Geometry: LayerGeometry.Of(n, initializers[n.Input[1]])))
            .Where(x => x.Geometry is not null)
            .Select(x => new ReconstructionTarget(x.Node, initializers[x.Node.Input[1]], x.Geometry!, false))
            .ToList();
    }
}
