using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Mixed;
using CompressBuild.Engine.Reconstruction;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Mixed;

public class WeightGridTests
{
    [Fact]
    public void Weights_on_the_grid_have_no_error_and_off_grid_ones_the_rounding_error()
    {
        // Symmetric s8 per row: the row's largest |w| = 1.27 makes the step 0.01.
        double[] onGrid = [1.27, -0.5, 0.02, 0, 0.01, -1.27];
        double[] offGrid = [1.27, -0.5, 0.024, 0, 0.01, -1.27];
        var options = new QuantizationOptions { Mode = QuantizationMode.Int8Static };

        Assert.Equal(0, WeightGrid.SquaredError(onGrid, 1, 6, LayerKind.Dense, options), 1e-12);
        Assert.Equal(0.004 * 0.004, WeightGrid.SquaredError(offGrid, 1, 6, LayerKind.Dense, options), 1e-9);
    }

    [Fact]
    public void Four_bit_blocks_lose_more_than_eight_bit_ones()
    {
        var random = new Random(7);
        var rows = Enumerable.Range(0, 256).Select(_ => random.NextDouble() - 0.5).ToArray();

        var int4 = WeightGrid.SquaredError(rows, 4, 64, LayerKind.Dense, new QuantizationOptions { Mode = QuantizationMode.Int4Weight });
        var int8 = WeightGrid.SquaredError(rows, 4, 64, LayerKind.Dense, new QuantizationOptions { Mode = QuantizationMode.Int8Weight });

        Assert.True(int4 > 100 * int8, $"int4 {int4}, int8 {int8}");
        Assert.True(int8 > 0);
    }
}
