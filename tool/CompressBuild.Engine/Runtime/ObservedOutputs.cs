using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace CompressBuild.Engine.Runtime;

/// <summary>
/// The float outputs of one run, still in ONNX Runtime's own buffers (<see cref="InferenceSession.RunKept"/>): nothing is copied, and
/// the buffers stay the run's until this is disposed, so they can be read on another thread while the session runs the next input
/// (the arena hands that run other blocks). Read them with <see cref="Observe"/>; dispose exactly once, after the last read.
/// </summary>
public sealed class ObservedOutputs : IDisposable
{
    private readonly IDisposableReadOnlyCollection<OrtValue> values;
    private readonly string[] names;

    internal ObservedOutputs(IDisposableReadOnlyCollection<OrtValue> values, string[] names)
    {
        this.values = values;
        this.names = names;
        for (var i = 0; i < names.Length; i++)
        {
            var type = values[i].GetTensorTypeAndShape().ElementDataType;
            if (type != TensorElementType.Float)
            {
                values.Dispose();
                throw new NotSupportedException($"output '{names[i]}' is {type}; only float outputs can be observed in place.");
            }
        }
    }

    /// <summary>Hands each output, in the order asked for, to <paramref name="observe"/> as a span over ORT's buffer, valid only during the call.</summary>
    public void Observe(Action<int, ReadOnlySpan<float>> observe)
    {
        ArgumentNullException.ThrowIfNull(observe);
        for (var i = 0; i < names.Length; i++)
        {
            observe(i, values[i].GetTensorDataAsSpan<float>());
        }
    }

    public void Dispose() => values.Dispose();
}
