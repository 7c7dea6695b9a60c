using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// A Conv's weight [O, I/group, k...] or a ConvTranspose's [I, O/group, k...] read with its group attribute: the
/// channel counts per group and the kernel, so passes agree on what a grouped or depthwise layer is.
/// </summary>
internal sealed record ConvForm(bool Transposed, int Group, long OutputChannels, long InputChannels, long OutputsPerGroup, long InputsPerGroup, IReadOnlyList<long> Kernel)
{
    /// <summary>The form of a Conv or ConvTranspose whose weight has <paramref name="weightDims"/> (rank 3 or more); null otherwise or when the group does not divide the channels.</summary>
    public static ConvForm? Of(NodeProto node, IReadOnlyList<long> weightDims)
    {
        if (weightDims.Count < 3 || node.OpType is not ("Conv" or "ConvTranspose"))
        {
            return null;
        }

        var group = NodeAttributes.Int(node, "group", 1);
        if (group < 1 || group > int.MaxValue)
        {
            return null;
        }

        var kernel = weightDims.Skip(2).ToArray();
        if (node.OpType == "ConvTranspose")
        {
            // [I, O/group, k...]: the input channels lead.
            return weightDims[0] % group != 0
                ? null
                : new ConvForm(true, (int)group, weightDims[1] * group, weightDims[0], weightDims[1], weightDims[0] / group, kernel);
        }

        return weightDims[0] % group != 0
            ? null
            : new ConvForm(false, (int)group, weightDims[0], weightDims[1] * group, weightDims[0] / group, weightDims[1], kernel);
    }

    /// <summary>The group count of a Conv or ConvTranspose node (1 when the attribute is absent).</summary>
    public static long GroupOf(NodeProto node) => NodeAttributes.Int(node, "group", 1);

    /// <summary>One input channel per group and more than one group: each channel filtered on its own.</summary>
    public bool Depthwise => Group > 1 && InputsPerGroup == 1;

    /// <summary>Elements of one kernel window (the product of the spatial dims).</summary>
    public long KernelSize => Kernel.Aggregate(1L, (a, d) => a * d);
}
