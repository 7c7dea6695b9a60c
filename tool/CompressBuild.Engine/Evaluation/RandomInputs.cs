using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// Inputs made up from a model's own metadata, for benchmarking without data. Values are seeded, so the same
/// model gives the same inputs every run: floats uniform in [0, 1), integers in [0, 4) (small enough to be a
/// valid index or token id in most models), booleans fair coin flips, strings empty.
/// </summary>
public static class RandomInputs
{
    public static IReadOnlyList<HostTensor> Create(IReadOnlyList<ValueInfo> inputs, IReadOnlyDictionary<string, long> dims, int seed = 1234)
    {
        var random = new Random(seed);
        return inputs.Select(input => Create(input, ResolveShape(input, dims), random)).ToList();
    }

    /// <summary>The input's shape with symbolic dims filled in from <paramref name="dims"/> (by name); unnamed or unset ones become 1.</summary>
    public static long[] ResolveShape(ValueInfo input, IReadOnlyDictionary<string, long> dims)
    {
        if (!input.IsTensor)
        {
            throw new CompressBuildException(DiagnosticCodes.DataDoesNotMatchModel, $"input '{input.Name}' is a {input.Kind}; random data can only be made for tensor inputs. Pass --data.");
        }

        return input.Shape.Select((d, i) => d >= 0 ? d : dims.TryGetValue(input.SymbolicDims[i], out var v) ? v : 1).ToArray();
    }

    public static IReadOnlyList<string> UnsetSymbolicDims(IReadOnlyList<ValueInfo> inputs, IReadOnlyDictionary<string, long> dims) =>
        inputs.SelectMany(i => i.Shape.Select((d, k) => d < 0 ? (i.SymbolicDims.Count > k ? i.SymbolicDims[k] : "") : null))
            .Where(name => name is not null && !dims.ContainsKey(name))
            .Select(name => name!.Length == 0 ? "(unnamed)" : name!)
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private static HostTensor Create(ValueInfo input, long[] shape, Random random)
    {
        var tensor = HostTensor.Zeros(input.Name, input.ElementType, shape);
        switch ((TensorProto.Types.DataType)input.ElementType)
        {
            case TensorProto.Types.DataType.Float:
                Fill(tensor.AsSpan<float>(), () => random.NextSingle());
                break;
            case TensorProto.Types.DataType.Double:
                Fill(tensor.AsSpan<double>(), random.NextDouble);
                break;
            case TensorProto.Types.DataType.Float16:
                Fill(tensor.AsSpan<Half>(), () => (Half)random.NextSingle());
                break;
            case TensorProto.Types.DataType.Bfloat16:
                Fill(tensor.AsSpan<ushort>(), () => (ushort)(BitConverter.SingleToInt32Bits(random.NextSingle()) >> 16));
                break;
            case TensorProto.Types.DataType.Bool:
                Fill(tensor.AsSpan<byte>(), () => (byte)random.Next(2));
                break;
            case TensorProto.Types.DataType.String:
                break;
            default:
                // Integer types: write the small value into the low byte of each little-endian element.
                var size = Onnx.ElementType.BitsPerElement(input.ElementType) / 8;
                for (var i = 0; i < tensor.Data.Length; i += size)
                {
                    tensor.Data[i] = (byte)random.Next(4);
                }

                break;
        }

        return tensor;
    }

    private static void Fill<T>(Span<T> span, Func<T> next)
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = next();
        }
    }
}
