using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>A Conv's sliding window in 2-D form (a 1-D Conv is a 2-D one of height 1). Explicit pads are resolved per input size.</summary>
public sealed record ConvWindow(int KernelHeight, int KernelWidth, int StrideH, int StrideW, int DilationH, int DilationW, int[] Pads, string AutoPad)
{
    public static ConvWindow? Of(NodeProto node, Google.Protobuf.Collections.RepeatedField<long> weightDims)
    {
        var spatial = weightDims.Count - 2;
        long[] Ints(string name, long fallback, int count)
        {
            var values = NodeAttributes.Ints(node, name);
            return values is null || values.Count == 0 ? Enumerable.Repeat(fallback, count).ToArray() : values.ToArray();
        }

        var strides = Ints("strides", 1, spatial);
        var dilations = Ints("dilations", 1, spatial);
        var pads = Ints("pads", 0, spatial * 2);
        var autoPad = NodeAttributes.String(node, "auto_pad", "NOTSET");
        if (strides.Length != spatial || dilations.Length != spatial || pads.Length != spatial * 2 || autoPad is not ("NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER"))
        {
            return null;
        }

        return spatial == 2
            ? new ConvWindow((int)weightDims[2], (int)weightDims[3], (int)strides[0], (int)strides[1], (int)dilations[0], (int)dilations[1],
                [(int)pads[0], (int)pads[1], (int)pads[2], (int)pads[3]], autoPad)
            : new ConvWindow(1, (int)weightDims[2], 1, (int)strides[0], 1, (int)dilations[0], [0, (int)pads[0], 0, (int)pads[1]], autoPad);
    }

    /// <summary>Output size and leading pad along one axis for an input of <paramref name="size"/>.</summary>
    public (int Output, int PadBefore) Axis(int size, int kernel, int stride, int dilation, int padBefore, int padAfter)
    {
        var span = ((kernel - 1) * dilation) + 1;
        switch (AutoPad)
        {
            case "VALID":
                return (((size - span) / stride) + 1, 0);
            case "SAME_UPPER" or "SAME_LOWER":
                var output = (size + stride - 1) / stride;
                var total = Math.Max(0, ((output - 1) * stride) + span - size);
                return (output, AutoPad == "SAME_UPPER" ? total / 2 : total - (total / 2));
            default:
                return (((size + padBefore + padAfter - span) / stride) + 1, padBefore);
        }
    }
}
