using CompressBuild.Engine.Onnx;
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
            case "Gemm" when GemmForm.Of(node, dims) is { TransA: false } gemm:
                return new LayerGeometry(LayerKind.Dense, 1, (int)gemm.K, (int)gemm.N, gemm.StoredKByN, null);
            case "Conv" when dims.Count is 3 or 4:
                if (ConvForm.Of(node, dims) is not { } conv)
                {
                    return null;
                }

                var window = ConvWindow.Of(node, dims);
                if (window is null)
                {
                    return null;
                }

                return new LayerGeometry(LayerKind.Conv, conv.Group, (int)(conv.InputsPerGroup * window.KernelHeight * window.KernelWidth), (int)conv.OutputsPerGroup, false, window);
            default:
                return null;
        }
    }

    /// <summary>Bytes the per-group Gram matrices take (doubles), with the extra bias column when asked for.</summary>
    public long GramBytes(bool withBias) => (long)Groups * (Columns + (withBias ? 1 : 0)) * (Columns + (withBias ? 1 : 0)) * sizeof(double);
}
