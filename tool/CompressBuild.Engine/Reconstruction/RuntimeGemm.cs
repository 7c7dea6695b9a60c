using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;
using Google.Protobuf;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// The cross-matrix update L^T R of wide layers through ONNX Runtime's own SGEMM (MLAS: packed panels, an AVX2/FMA micro-kernel that
/// keeps 24 accumulators in registers), which our register blocks (GramMatrix) do not approach once a layer has a few hundred
/// columns; the cut-overs below were measured against the 2x4 Vector256 block, not re-measured against the 4x4 Vector512 one.
/// Rows go in tiles of <see cref="RowTile"/>: each tile's sums run in float, as MLAS accumulates, then add into the doubles, so
/// the rounding stays that of a float sum over one tile. One session per product shape (X X^T reads its input once), shared by
/// the process, one intra-op thread: the capture already runs one layer per core. Tests also drive the symmetric form.
/// </summary>
internal static class RuntimeGemm
{
    /// <summary>
    /// Narrower matrices, and chunks of fewer rows than <see cref="MinRows"/>, stay with <see cref="GramMatrix"/>'s own kernel, and
    /// so do symmetric Gram matrices (the block sums only their upper triangle, half of SGEMM's work). Measured interleaved on the
    /// busy machine (Gram plus cross, one thread each): 577 columns x 2,500 rows 154-188 ms here against 229-381 ms blocked, the
    /// gain all in the cross matrix; 150 x 1,024 1.6-2.2 ms against 1.3-1.4 ms; 2,880 columns x 40 rows at a time 0.9-1.5 s against
    /// 0.8-1.0 s. Before the Gram matrices were left to the block, the recognizer's SparseGPT (no teacher) read 81.72% instead of 81.97%.
    /// </summary>
    public const int MinColumns = 256;

    /// <inheritdoc cref="MinColumns"/>
    public const int MinRows = 512;

    public const int RowTile = 1024;

    private static readonly Lazy<InferenceSession> Square = new(() => Open(cross: false), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<InferenceSession> Product = new(() => Open(cross: true), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Per thread, the tiles and products of the last shapes, refilled in place while the shapes repeat: a fresh pinned array per tile and
    /// product (2.6 MB and 1.7 MB on the detector's wide consumers, every 1,024 rows) cost page faults and collections, about a tenth of the
    /// detector's capture CPU in a perf profile.
    /// </summary>
    [ThreadStatic]
    private static Dictionary<(string Name, int Rows, int Count), HostTensor>? tiles;

    [ThreadStatic]
    private static HostTensor[]? squares;

    [ThreadStatic]
    private static HostTensor[]? products;

    /// <summary>
    /// values[i, j] += left_i . right_j over rows [0, rows) of two column-major chunks (column j at <c>j * stride</c>); with
    /// <paramref name="upperOnly"/> (left and right the same chunk) only j &gt;= i is added, though SGEMM computes both triangles: splitting
    /// the product into 64-256-column panels, each against itself and the columns after it (up to 45% fewer products), measured no faster on
    /// the detector's 865-column consumers (medians of 8 products of 2,424 rows each, loaded machine).
    /// </summary>
    /// <param name="columns">The only columns (ascending) whose entries are summed, the rest left as they are; null for all.</param>
    public static void Accumulate(ReadOnlySpan<float> left, ReadOnlySpan<float> right, int n, int rows, int stride, double[] values, bool upperOnly,
        IReadOnlyList<int>? columns = null)
    {
        var all = columns ?? Enumerable.Range(0, n).ToArray();
        for (var start = 0; start < rows; start += RowTile)
        {
            var count = Math.Min(RowTile, rows - start);
            var a = Tile("a", left, all, start, count, stride);
            HostTensor result;
            if (upperOnly)
            {
                squares = [.. Square.Value.Run([a], ["y"], squares)];
                result = squares[0];
            }
            else
            {
                products = [.. Product.Value.Run([a, Tile("b", right, all, start, count, stride)], ["y"], products)];
                result = products[0];
            }

            Add(result, all, values, n, upperOnly);
        }
    }

    /// <summary>Adds the [m, m] product of the chosen columns into values at their places (the upper triangle only when asked).</summary>
    private static void Add(HostTensor result, IReadOnlyList<int> columns, double[] values, int n, bool upperOnly)
    {
        var sums = result.AsSpan<float>();
        var m = columns.Count;
        for (var i = 0; i < m; i++)
        {
            var row = values.AsSpan(columns[i] * n, n);
            var source = sums.Slice(i * m, m);
            for (var j = upperOnly ? i : 0; j < m; j++)
            {
                row[columns[j]] += source[j];
            }
        }
    }

    /// <summary>The chosen columns' rows [start, start + count) as a row-major [columns, count] tensor (this thread's of that shape, overwritten).</summary>
    private static HostTensor Tile(string name, ReadOnlySpan<float> chunk, IReadOnlyList<int> columns, int start, int count, int stride)
    {
        tiles ??= [];
        if (!tiles.TryGetValue((name, columns.Count, count), out var tensor))
        {
            // A handful of shapes repeat per layer (full tiles and a chunk's remainder); a new layer's start afresh.
            if (tiles.Count >= 8)
            {
                tiles.Clear();
            }

            tensor = HostTensor.Zeros(name, (int)TensorProto.Types.DataType.Float, [columns.Count, count]);
            tiles[(name, columns.Count, count)] = tensor;
        }

        var target = tensor.AsSpan<float>();
        for (var j = 0; j < columns.Count; j++)
        {
            chunk.Slice((columns[j] * stride) + start, count).CopyTo(target.Slice(j * count, count));
        }

        return tensor;
    }

    /// <summary>y = Gemm(a, b, transB = 1) = a b^T, [n, k] x [m, k] -> [n, m]; without <paramref name="cross"/> b is a itself.</summary>
    private static InferenceSession Open(bool cross)
    {
        static ValueInfoProto Matrix(string name, string rows) => new()
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)TensorProto.Types.DataType.Float,
                    Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimParam = rows }, new TensorShapeProto.Types.Dimension { DimParam = "k" } } },
                },
            },
        };

        var gemm = new NodeProto { OpType = "Gemm", Name = "gram", Input = { "a", cross ? "b" : "a" }, Output = { "y" } };
        gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        var output = new ValueInfoProto
        {
            Name = "y",
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
        };
        var graph = new GraphProto { Name = "gram", Node = { gemm }, Input = { Matrix("a", "n") }, Output = { output } };
        if (cross)
        {
            graph.Input.Add(Matrix("b", "m"));
        }

        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "CompressBuild" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return InferenceSession.Create(model.ToByteArray(), new SessionSettings { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 });
    }
}
