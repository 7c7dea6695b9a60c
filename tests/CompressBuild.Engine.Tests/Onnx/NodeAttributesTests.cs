using CompressBuild.Engine.Onnx;
using Xunit;
using static CompressBuild.Engine.Tests.Onnx.OpNodes;

namespace CompressBuild.Engine.Tests.Onnx;

public class NodeAttributesTests
{
    [Fact]
    public void Absent_attributes_read_as_the_fallback()
    {
        var node = Node("Conv", "x", "w");

        Assert.Equal(1, NodeAttributes.Int(node, "group", 1));
        Assert.Equal(0.5f, NodeAttributes.Float(node, "beta", 0.5f));
        Assert.Equal("NOTSET", NodeAttributes.String(node, "auto_pad", "NOTSET"));
        Assert.Null(NodeAttributes.Ints(node, "pads"));
        Assert.Null(NodeAttributes.Tensor(node, "value"));
        Assert.Null(NodeAttributes.Graph(node, "then_branch"));
    }

    [Fact]
    public void Setting_an_attribute_twice_keeps_one_copy_with_the_last_value()
    {
        var node = Node("Gemm", "a", "b").WithInt("transB", 0).WithInt("transB", 1);

        Assert.Single(node.Attribute, a => a.Name == "transB");
        Assert.Equal(1, NodeAttributes.Int(node, "transB", 0));
    }

    [Fact]
    public void Take_removes_the_attribute_and_returns_it()
    {
        var node = Node("Gemm", "a", "b").WithFloat("alpha", 2f);

        Assert.Equal(2f, NodeAttributes.Take(node, "alpha")!.F);
        Assert.Empty(node.Attribute);
        Assert.Null(NodeAttributes.Take(node, "alpha"));
    }
}
