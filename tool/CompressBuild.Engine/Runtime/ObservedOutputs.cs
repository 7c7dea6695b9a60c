using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace CompressBuild.Engine.Runtime;

/// <summary>
/// The outputs of one run, still in ONNX Runtime's own buffers (<see cref="InferenceSession.RunKept"/>): nothing is copied, and
/// the buffers stay the run's until this is disposed, so they can be read on another thread while the session runs the next input
/// (the arena hands that run other blocks). Read float outputs in place with <see cref="Observe"/> or <see cref="Values"/>, the bytes of
/// any other but strings with <see cref="Bytes"/>; dispose exactly once, after the last read.
/// </summary>
public sealed class ObservedOutputs : IDisposable
{
    private readonly IDisposableReadOnlyCollection<OrtValue> values;
    private readonly string[] names;
    private readonly TensorElementType[] types;

    internal ObservedOutputs(IDisposableReadOnlyCollection<OrtValue> values, string[] names)
    {
        this.values = values;
        this.names = names;
        try
        {
            types = [.. values.Select(v => v.GetTensorTypeAndShape().ElementDataType)];
        }
        catch
        {
            values.Dispose();
            throw;
        }
    }

    /// <summary>Hands each output, in the order asked for, to <paramref name="observe"/> as a span over ORT's buffer, valid only during the call; every output must be float.</summary>
    public void Observe(Action<int, ReadOnlySpan<float>> observe)
    {
        ArgumentNullException.ThrowIfNull(observe);
        for (var i = 0; i < names.Length; i++)
        {
            observe(i, Values(i));
        }
    }

    /// <summary>The ONNX element type of output <paramref name="index"/>.</summary>
    public int ElementType(int index) => (int)types[index];

    public long[] Shape(int index) => values[index].GetTensorTypeAndShape().Shape;

    /// <summary>Output <paramref name="index"/>, which must be float, as a span over ORT's buffer: valid until this is disposed.</summary>
    public ReadOnlySpan<float> Values(int index) => types[index] == TensorElementType.Float
        ? values[index].GetTensorDataAsSpan<float>()
        : throw new NotSupportedException($"output '{names[index]}' is {types[index]}; only float outputs can be observed in place.");

    /// <summary>Output <paramref name="index"/>'s bytes (any element type but string) as a span over ORT's buffer: valid until this is disposed.</summary>
    public ReadOnlySpan<byte> Bytes(int index) => types[index] != TensorElementType.String
        ? values[index].GetTensorMutableRawData()
        : throw new NotSupportedException($"output '{names[index]}' holds strings, which have no bytes in place.");

    public void Dispose() => values.Dispose();
}
