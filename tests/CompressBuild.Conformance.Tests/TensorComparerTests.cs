using CompressBuild.Engine.Runtime;
using Xunit;

namespace CompressBuild.Conformance.Tests;

/// <summary>The comparison the conformance verdicts rest on, checked on hand-made tensors.</summary>
[Trait("Category", "Conformance")]
public sealed class TensorComparerTests
{
    [Fact]
    public void Floats_within_relative_plus_absolute_tolerance_match_and_beyond_do_not()
    {
        var expected = HostTensor.FromArray<float>("y", [2], [1000f, 0f]);

        Assert.Null(TensorComparer.Compare(expected, HostTensor.FromArray<float>("y", [2], [1000.99f, 0f])));
        Assert.Null(TensorComparer.Compare(expected, HostTensor.FromArray<float>("y", [2], [1000f, 5e-8f])));
        var message = TensorComparer.Compare(expected, HostTensor.FromArray<float>("y", [2], [1000f, 1e-6f]));
        Assert.NotNull(message);
        Assert.Contains("1 of 2 values differ; first at [1]", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nan_matches_nan_and_infinity_matches_only_itself()
    {
        var expected = HostTensor.FromArray<double>("y", [2], [double.NaN, double.PositiveInfinity]);

        Assert.Null(TensorComparer.Compare(expected, HostTensor.FromArray<double>("y", [2], [double.NaN, double.PositiveInfinity])));
        Assert.NotNull(TensorComparer.Compare(expected, HostTensor.FromArray<double>("y", [2], [0, double.PositiveInfinity])));
        Assert.NotNull(TensorComparer.Compare(expected, HostTensor.FromArray<double>("y", [2], [double.NaN, double.NegativeInfinity])));
    }

    [Fact]
    public void Half_precision_is_widened_before_comparing()
    {
        var expected = HostTensor.FromArray<Half>("y", [1], [(Half)2.0f]);

        Assert.Null(TensorComparer.Compare(expected, HostTensor.FromArray<Half>("y", [1], [(Half)2.0f])));
        var message = TensorComparer.Compare(expected, HostTensor.FromArray<Half>("y", [1], [(Half)2.01f]));
        Assert.NotNull(message);
        Assert.Contains("expected 2, got 2.0097656", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Integers_bools_and_strings_must_be_exact()
    {
        Assert.NotNull(TensorComparer.Compare(HostTensor.FromArray<long>("y", [1], [1_000_000]), HostTensor.FromArray<long>("y", [1], [1_000_001])));
        Assert.Null(TensorComparer.Compare(HostTensor.FromArray<byte>("y", [1], [1]), HostTensor.FromArray<byte>("y", [1], [1])));
        Assert.Null(TensorComparer.Compare(HostTensor.FromArray<bool>("y", [2], [true, false]), HostTensor.FromArray<bool>("y", [2], [true, false])));
        Assert.NotNull(TensorComparer.Compare(HostTensor.FromArray<bool>("y", [2], [true, false]), HostTensor.FromArray<bool>("y", [2], [true, true])));
        Assert.NotNull(TensorComparer.Compare(HostTensor.FromStrings("y", [1], ["a"]), HostTensor.FromStrings("y", [1], ["A"])));
    }

    [Fact]
    public void Element_type_and_shape_must_match_exactly()
    {
        var expected = HostTensor.FromArray<float>("y", [], [1f]);

        Assert.Contains("expected shape [], got [1]", TensorComparer.Compare(expected, HostTensor.FromArray<float>("y", [1], [1f])), StringComparison.Ordinal);
        Assert.Contains("expected float32, got float64", TensorComparer.Compare(expected, HostTensor.FromArray<double>("y", [], [1d])), StringComparison.Ordinal);
    }

    [Fact]
    public void Bitwise_comparison_sees_differences_the_tolerance_forgives()
    {
        var a = HostTensor.FromArray<float>("y", [1], [1f]);
        var b = HostTensor.FromArray<float>("y", [1], [BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(1f) + 1)]);

        Assert.Null(TensorComparer.Compare(a, b));
        Assert.NotNull(TensorComparer.CompareBits(a, b));
        Assert.Null(TensorComparer.CompareBits(a, a));
    }
}
