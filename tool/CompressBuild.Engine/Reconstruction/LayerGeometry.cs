using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// The linear map a layer computes, seen as Y_g = X_g W_g^T per group g: <see cref="Columns"/> inputs (the im2col
/// patch length for a Conv, K for MatMul / Gemm) and <see cref="OutputsPerGroup"/> outputs. Weight rows are read and
/// written in this view by <see cref="WeightRows"/>.
/// </summary>
public sealed record LayerGeometry(LayerKind Kind, int Groups, int Columns, int OutputsPerGroup, bool StoredKByN, ConvWindow? Window)
{
    /// <summary>The geometry of a MatMul (2-D weight), Gemm (transA = 0) or Conv (1-D / 2-D, any group count); null for anything else.</summary>
    public static LayerGeometry? Of(NodeProto node, TensorProto weight)
    {
        var dims = weight.Dims;
        if (dims.Any(d => d <= 0 || d > int.MaxValue))
        {
            return null;
        }

        switch (node.OpType)
        {
            case "MatMul" when dims.Count == 2:
                return new LayerGeometry(LayerKind.Dense, 1, (int)dims[0], (int)dims[1], true, null);
            case "Gemm" when dims.Count == 2 && Int(node, "transA", 0) == 0:
                var transB = Int(node, "transB", 0) != 0;
                return new LayerGeometry(LayerKind.Dense, 1, (int)dims[transB ? 1 : 0], (int)dims[transB ? 0 : 1], !transB, null);
            case "Conv" when dims.Count is 3 or 4:
                var group = (int)Int(node, "group", 1);
                if (group < 1 || dims[0] % group != 0)
                {
                    return null;
                }

                var window = ConvWindow.Of(node, dims);
                if (window is null)
                {
                    return null;
                }

                return new LayerGeometry(LayerKind.Conv, group, (int)(dims[1] * window.KernelHeight * window.KernelWidth), (int)(dims[0] / group), false, window);
            default:
                return null;
        }
    }

    /// <summary>Bytes the per-group Gram matrices take (doubles), with the extra bias column when asked for.</summary>
    public long GramBytes(bool withBias) => (long)Groups * (Columns + (withBias ? 1 : 0)) * (Columns + (withBias ? 1 : 0)) * sizeof(double);

    internal static long Int(NodeProto node, string name, long fallback) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? fallback;
}
