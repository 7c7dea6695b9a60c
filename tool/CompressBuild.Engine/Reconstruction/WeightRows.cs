namespace CompressBuild.Engine.Reconstruction;

/// <summary>Reads a layer's weight as one row-major [outputs, columns] matrix per group (doubles, for the solves) and writes it back.</summary>
public static class WeightRows
{
    public static double[] Read(LayerGeometry geometry, ReadOnlySpan<float> weight, int group)
    {
        var (rows, columns) = (geometry.OutputsPerGroup, geometry.Columns);
        var result = new double[rows * columns];
        if (geometry.StoredKByN)
        {
            for (var k = 0; k < columns; k++)
            {
                for (var o = 0; o < rows; o++)
                {
                    result[(o * columns) + k] = weight[(k * rows) + o];
                }
            }
        }
        else
        {
            var offset = group * rows * columns;
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = weight[offset + i];
            }
        }

        return result;
    }

    public static void Write(LayerGeometry geometry, ReadOnlySpan<double> rowsMatrix, Span<float> weight, int group)
    {
        var (rows, columns) = (geometry.OutputsPerGroup, geometry.Columns);
        if (geometry.StoredKByN)
        {
            for (var k = 0; k < columns; k++)
            {
                for (var o = 0; o < rows; o++)
                {
                    weight[(k * rows) + o] = (float)rowsMatrix[(o * columns) + k];
                }
            }
        }
        else
        {
            var offset = group * rows * columns;
            for (var i = 0; i < rows * columns; i++)
            {
                weight[offset + i] = (float)rowsMatrix[i];
            }
        }
    }
}
