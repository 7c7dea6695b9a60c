using CompressBuild.Engine.Choices;
using CompressBuild.Engine.Quantization.Calibration;
using Xunit;

namespace CompressBuild.Engine.Tests.Choices;

public sealed class ChoiceSetTests
{
    private static readonly ChoiceSet<Choice<CalibrationMethod>> Methods = new(
        new(CalibrationMethod.MinMax, "minmax", "a"),
        new(CalibrationMethod.Mse, "mse", "b"));

    [Fact]
    public void Find_matches_a_name_in_any_case_and_returns_null_for_others()
    {
        Assert.Equal(CalibrationMethod.Mse, Methods.Find("MSE")!.Value);
        Assert.Null(Methods.Find("median"));
        Assert.Null(Methods.Find(null));
    }

    [Fact]
    public void Names_keep_the_listed_order_and_Describe_joins_them_for_messages()
    {
        Assert.Equal(["minmax", "mse"], Methods.Names);
        Assert.Equal("minmax or mse", Methods.Describe());
    }

    [Fact]
    public void Of_and_ValueOf_go_between_values_and_names()
    {
        Assert.Equal("mse", Methods.Of(CalibrationMethod.Mse).Name);
        Assert.Equal(CalibrationMethod.MinMax, Methods.ValueOf("minmax", CalibrationMethod.Mse));
        Assert.Equal(CalibrationMethod.Mse, Methods.ValueOf(null, CalibrationMethod.Mse));
    }

    [Fact]
    public void A_name_listed_twice_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new ChoiceSet<Choice<CalibrationMethod>>(
            new(CalibrationMethod.MinMax, "minmax", "a"), new(CalibrationMethod.Mse, "MinMax", "b")));
    }
}
