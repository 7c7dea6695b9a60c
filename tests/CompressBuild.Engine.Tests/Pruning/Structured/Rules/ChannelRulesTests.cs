using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Pruning.Structured.Rules;
using Xunit;

namespace CompressBuild.Engine.Tests.Pruning.Structured.Rules;

/// <summary>The registry the channel graph looks every node up in.</summary>
public class ChannelRulesTests
{
    [Theory]
    [InlineData("Conv", typeof(ConvRule))]
    [InlineData("ConvTranspose", typeof(ConvTransposeRule))]
    [InlineData("Gemm", typeof(GemmRule))]
    [InlineData("MatMul", typeof(MatMulRule))]
    [InlineData("BatchNormalization", typeof(NormalizationRule))]
    [InlineData("InstanceNormalization", typeof(NormalizationRule))]
    [InlineData("Concat", typeof(ConcatRule))]
    [InlineData("Flatten", typeof(FlattenRule))]
    [InlineData("Reshape", typeof(ReshapeRule))]
    [InlineData("Add", typeof(ElementwiseRule))]
    [InlineData("PRelu", typeof(ElementwiseRule))]
    [InlineData("HardSwish", typeof(PassThroughRule))]
    [InlineData("Resize", typeof(PassThroughRule))]
    public void Each_followed_op_type_finds_its_rule(string opType, Type rule)
    {
        Assert.IsType(rule, ChannelRules.For(new NodeProto { OpType = opType }));
        Assert.IsType(rule, ChannelRules.For(new NodeProto { OpType = opType, Domain = "ai.onnx" }));
    }

    [Theory]
    [InlineData("Transpose", "")]
    [InlineData("Softmax", "")]
    [InlineData("Conv", "com.microsoft")]
    [InlineData("FusedConv", "com.microsoft")]
    public void Ops_without_a_rule_and_other_domains_find_none(string opType, string domain)
    {
        Assert.Null(ChannelRules.For(new NodeProto { OpType = opType, Domain = domain }));
    }
}
