using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

public static class TensorShape
{
    public static long ElementCount(TensorProto tensor)
    {
        long count = 1;
        foreach (var d in tensor.Dims)
        {
            count = checked(count * d);
        }

        return count;
    }

    public static string Format(IEnumerable<long> dims) => "[" + string.Join(",", dims) + "]";
}
