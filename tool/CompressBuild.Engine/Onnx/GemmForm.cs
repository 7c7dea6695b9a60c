using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// A Gemm (<c>Y = alpha * A' x B' + beta * C</c>) or a MatMul with a 2-D B, read once from the node's attributes
/// and B's dims: every pass that rewrites, prunes or folds into a dense layer reads the same transB, alpha, beta
/// and C here instead of each spelling the ONNX defaults again. A MatMul is the Gemm with every attribute at its
/// default and no C.
/// </summary>
internal sealed record GemmForm(bool TransA, bool TransB, float Alpha, float Beta, string? C, long K, long N)
{
    /// <summary>The form of a Gemm or MatMul whose B has the 2-D <paramref name="bDims"/>; null for other ops or shapes.</summary>
    public static GemmForm? Of(NodeProto node, IReadOnlyList<long> bDims)
    {
        if (bDims.Count != 2 || node.OpType is not ("Gemm" or "MatMul"))
        {
            return null;
        }

        if (node.OpType == "MatMul")
        {
            return new GemmForm(false, false, 1f, 1f, null, bDims[0], bDims[1]);
        }

        var transB = NodeAttributes.Int(node, "transB", 0) != 0;
        var c = node.Input.Count > 2 && node.Input[2].Length > 0 ? node.Input[2] : null;
        return new GemmForm(
            NodeAttributes.Int(node, "transA", 0) != 0,
            transB,
            NodeAttributes.Float(node, "alpha", 1f),
            NodeAttributes.Float(node, "beta", 1f),
            c,
            bDims[transB ? 1 : 0],
            bDims[transB ? 0 : 1]);
    }

    /// <summary>B's axis that holds the N outputs (0 when stored [N, K], i.e. transB = 1).</summary>
    public int OutputAxis => TransB ? 0 : 1;

    /// <summary>B's axis that holds the K reduction (the input features).</summary>
    public int ReductionAxis => TransB ? 1 : 0;

    /// <summary>True when B is stored [K, N], the layout MatMul and DynamicQuantizeMatMul read.</summary>
    public bool StoredKByN => !TransB;

    /// <summary>alpha = beta = 1: the product and C add as they are (what integer Gemm kernels and bias folding need).</summary>
    public bool UnitScales => Alpha == 1f && Beta == 1f;

    /// <summary>
    /// Why a rewrite of a Gemm into <paramref name="target"/> (an op reading A as [M, K]) cannot take
    /// <paramref name="node"/>, or null: a transposed A has no such form. Read before B is looked at, so that it is
    /// the reason given whatever B is.
    /// </summary>
    public static string? TransARefusal(NodeProto node, string target) =>
        node.OpType == "Gemm" && NodeAttributes.Int(node, "transA", 0) != 0 ? $"transA=1 has no {target} form" : null;
}
