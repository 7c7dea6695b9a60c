namespace CompressBuild.Engine.Pruning.Unstructured;

/// <summary>
/// Block sparsity on each layer's [output units, reduction] matrix: blocks of R outputs by C reduction elements
/// (smaller at the edges) are ranked by L2 norm and the weakest are zeroed, per layer, until the layer's zeroed
/// count is as close to round(S * n) as whole blocks allow.
/// </summary>
public static class BlockPruner
{
    public static void Apply(IReadOnlyList<PrunableLayer> layers, IReadOnlyList<float[]> weights, BlockShape block, double sparsity)
    {
        for (var l = 0; l < layers.Count; l++)
        {
            var layout = layers[l].Layout;
            var w = weights[l];
            var blockRows = (layout.Rows + block.Rows - 1) / block.Rows;
            var blockCols = (layout.Length + block.Cols - 1) / block.Cols;
            var keys = new ulong[(long)blockRows * blockCols];
            for (var br = 0; br < blockRows; br++)
            {
                for (var bc = 0; bc < blockCols; bc++)
                {
                    double sum = 0;
                    ForEach(layout, block, br, bc, i => sum += (double)w[i] * w[i]);
                    keys[((long)br * blockCols) + bc] = RankKey.Of((float)Math.Sqrt(sum), ((long)br * blockCols) + bc);
                }
            }

            Array.Sort(keys);
            var target = RankKey.Target(sparsity, w.Length);
            long zeroed = 0;
            foreach (var key in keys)
            {
                var index = RankKey.Position(key);
                int br = (int)(index / blockCols), bc = (int)(index % blockCols);
                var size = (long)Math.Min(block.Rows, layout.Rows - (br * block.Rows)) * Math.Min(block.Cols, layout.Length - (bc * block.Cols));
                if (zeroed + size - target > target - zeroed)
                {
                    break;
                }

                ForEach(layout, block, br, bc, i => w[i] = 0);
                zeroed += size;
            }
        }
    }

    private static void ForEach(ReductionLayout layout, BlockShape block, int br, int bc, Action<long> visit)
    {
        for (var row = br * block.Rows; row < Math.Min(layout.Rows, (br + 1) * block.Rows); row++)
        {
            for (var r = bc * block.Cols; r < Math.Min(layout.Length, (bc + 1) * block.Cols); r++)
            {
                visit(layout.Index(row, r));
            }
        }
    }
}
