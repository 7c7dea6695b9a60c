namespace CompressBuild.Engine.Onnx;

/// <summary>
/// The transpose of a row-major matrix, in square tiles so that both the reads and the writes of a tile stay in
/// cache (a naive column walk over a large weight misses on every write).
/// </summary>
internal static class MatrixTranspose
{
    private const int Tile = 32;

    /// <summary>Returns <paramref name="values"/> [rows, columns] as a new [columns, rows] array.</summary>
    public static float[] Of(ReadOnlySpan<float> values, int rows, int columns)
    {
        if ((long)rows * columns != values.Length)
        {
            throw new ArgumentException($"{values.Length} values are not a {rows} x {columns} matrix.", nameof(values));
        }

        var result = new float[values.Length];
        for (var r0 = 0; r0 < rows; r0 += Tile)
        {
            var r1 = Math.Min(r0 + Tile, rows);
            for (var c0 = 0; c0 < columns; c0 += Tile)
            {
                var c1 = Math.Min(c0 + Tile, columns);
                for (var r = r0; r < r1; r++)
                {
                    var row = values.Slice(r * columns, columns);
                    for (var c = c0; c < c1; c++)
                    {
                        result[(c * rows) + r] = row[c];
                    }
                }
            }
        }

        return result;
    }
}
