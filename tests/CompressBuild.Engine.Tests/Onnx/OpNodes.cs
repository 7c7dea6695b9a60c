using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Tests.Onnx;

/// <summary>Single nodes with chosen attributes, for the op-form tests.</summary>
internal static class OpNodes
{
    public static NodeProto Node(string opType, params string[] inputs)
    {
        var node = new NodeProto { OpType = opType, Name = opType.ToLowerInvariant() };
        node.Input.Add(inputs);
        node.Output.Add("y");
        return node;
    }

    public static NodeProto WithInt(this NodeProto node, string name, long value)
    {
        NodeAttributes.SetInt(node, name, value);
        return node;
    }

    public static NodeProto WithFloat(this NodeProto node, string name, float value)
    {
        NodeAttributes.SetFloat(node, name, value);
        return node;
    }
}
