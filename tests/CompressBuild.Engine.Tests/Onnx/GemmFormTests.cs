using CompressBuild.Engine.Onnx;
using Xunit;
using static CompressBuild.Engine.Tests.Onnx.OpNodes;

namespace CompressBuild.Engine.Tests.Onnx;

public class GemmFormTests
{
    [Fact]
    public void A_gemm_without_attributes_has_the_onnx_defaults_and_b_stored_k_by_n()
    {
        var form = GemmForm.Of(Node("Gemm", "a", "b"), [64, 10])!;

        Assert.Equal(new GemmForm(false, false, 1f, 1f, null, 64, 10), form);
        Assert.True(form.StoredKByN);
        Assert.True(form.UnitScales);
        Assert.Equal(1, form.OutputAxis);
        Assert.Equal(0, form.ReductionAxis);
    }

    [Fact]
    public void TransB_swaps_k_and_n_and_puts_the_outputs_on_axis_0()
    {
        var form = GemmForm.Of(Node("Gemm", "a", "b", "c").WithInt("transB", 1).WithFloat("alpha", 0.5f).WithFloat("beta", 2f), [10, 64])!;

        Assert.Equal((64L, 10L), (form.K, form.N));
        Assert.Equal((0, 1), (form.OutputAxis, form.ReductionAxis));
        Assert.False(form.StoredKByN);
        Assert.Equal((0.5f, 2f, "c"), (form.Alpha, form.Beta, form.C));
        Assert.False(form.UnitScales);
    }

    [Fact]
    public void An_omitted_optional_c_is_no_c()
    {
        Assert.Null(GemmForm.Of(Node("Gemm", "a", "b", ""), [4, 4])!.C);
    }

    [Fact]
    public void A_matmul_is_a_gemm_at_its_defaults_even_with_gemm_attributes_on_the_node()
    {
        // MatMul has no transB: a stray attribute of that name must not flip its layout.
        var form = GemmForm.Of(Node("MatMul", "a", "b").WithInt("transB", 1), [32, 8])!;

        Assert.Equal(new GemmForm(false, false, 1f, 1f, null, 32, 8), form);
    }

    [Fact]
    public void Other_ops_and_b_of_other_ranks_have_no_form()
    {
        Assert.Null(GemmForm.Of(Node("Conv", "x", "w"), [4, 4]));
        Assert.Null(GemmForm.Of(Node("MatMul", "a", "b"), [2, 4, 4]));
        Assert.Null(GemmForm.Of(Node("Gemm", "a", "b"), [4]));
    }

    [Fact]
    public void Only_a_gemm_with_transA_is_refused_and_the_reason_names_the_target_op()
    {
        Assert.Equal("transA=1 has no MatMulNBits form", GemmForm.TransARefusal(Node("Gemm", "a", "b").WithInt("transA", 1), "MatMulNBits"));
        Assert.Null(GemmForm.TransARefusal(Node("Gemm", "a", "b").WithInt("transA", 0), "MatMulNBits"));
        Assert.Null(GemmForm.TransARefusal(Node("MatMul", "a", "b").WithInt("transA", 1), "MatMulNBits"));
    }
}
