using CompressBuild.Engine.Onnx;

namespace CompressBuild.Engine.Pruning;

/// <summary>
/// A weight tensor seen as a matrix [output units, reduction]: element (row, r) lives at flat index
/// <c>(row / RowsPerBatch) * BatchStride + (row % RowsPerBatch) * RowStride + r * ElementStride</c>.
/// Conv [O, I, kh, kw] and Gemm transB=1 [N, K] are rows of contiguous reductions; MatMul / Gemm transB=0
/// [K, N] reduce down a column; ConvTranspose [I, O, kh, kw] reduces over I for each (o, kh, kw).
/// </summary>
public readonly record struct ReductionLayout(int Rows, int Length, int RowsPerBatch, long BatchStride, long RowStride, long ElementStride)
{
    public static ReductionLayout RowMajor(int rows, int length) => new(rows, length, rows, 0, length, 1);

    /// <summary>A Gemm's B: rows of contiguous reductions when stored [N, K] (transB = 1), else down the columns of [K, N].</summary>
    internal static ReductionLayout Dense(GemmForm gemm) =>
        gemm.StoredKByN ? ColumnMajor(1, (int)gemm.K, (int)gemm.N) : RowMajor((int)gemm.N, (int)gemm.K);

    /// <summary>[..., K, N] with the reduction along K: rows are the N columns of each leading batch.</summary>
    public static ReductionLayout ColumnMajor(int batches, int k, int n) => new(batches * n, k, n, (long)k * n, 1, n);

    public long Index(int row, int r) => ((row / RowsPerBatch) * BatchStride) + ((row % RowsPerBatch) * RowStride) + (r * ElementStride);
}
