using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace CompressBuild.Engine.Runtime;

/// <summary>
/// Float outputs allocated once and bound to a session (<see cref="InferenceSession.BindOutputs"/>): each <see cref="Run"/> has
/// ONNX Runtime write the requested outputs into the same memory, already faulted in, instead of fresh arena blocks. The shapes are
/// fixed at creation (taken from a run on inputs of the same shapes), so a run on other input shapes must go through
/// <see cref="InferenceSession.RunKept"/> (<see cref="Fits"/> tells). Read the values with <see cref="Observe"/> between runs.
/// </summary>
public sealed class BoundOutputs : IDisposable
{
    private readonly InferenceSession session;
    private readonly OrtIoBinding binding;
    private readonly OrtValue[] outputs;
    private readonly long[][] inputShapes;
    private bool disposed;

    internal BoundOutputs(InferenceSession session, IReadOnlyList<long[]> inputShapes, IReadOnlyList<string> names, IReadOnlyList<long[]> shapes)
    {
        this.session = session;
        this.inputShapes = inputShapes.Select(shape => shape.ToArray()).ToArray();
        outputs = new OrtValue[names.Count];
        binding = null!;
        try
        {
            binding = session.CreateBinding();
            for (var i = 0; i < names.Count; i++)
            {
                outputs[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, shapes[i]);
                var (name, value) = (names[i], outputs[i]);
                InferenceSession.Call(() => binding.BindOutput(name, value));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="inputs"/> have the shapes these buffers were sized for.</summary>
    public bool Fits(IReadOnlyList<HostTensor> inputs) =>
        inputs.Count == inputShapes.Length && inputs.Select((input, i) => input.Shape.AsSpan().SequenceEqual(inputShapes[i])).All(fits => fits);

    /// <summary>Runs the model on <paramref name="inputs"/> (which must <see cref="Fits"/>), overwriting the previous run's values.</summary>
    public void Run(IReadOnlyList<HostTensor> inputs)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (!Fits(inputs))
        {
            throw new ArgumentException("the inputs' shapes differ from the ones the outputs were sized for.", nameof(inputs));
        }

        var values = OrtValues.CreateAll(inputs);
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                var (name, value) = (inputs[i].Name, values[i]);
                InferenceSession.Call(() => binding.BindInput(name, value));
            }

            session.RunBound(binding);
        }
        finally
        {
            // The binding would otherwise keep pointers into this run's input arrays past their lifetime.
            binding.ClearBoundInputs();
            OrtValues.DisposeAll(values);
            GC.KeepAlive(inputs);
        }
    }

    /// <summary>Hands each output, in the order bound, to <paramref name="observe"/> as a span over the buffer, valid until the next run.</summary>
    public void Observe(Action<int, ReadOnlySpan<float>> observe)
    {
        ArgumentNullException.ThrowIfNull(observe);
        ObjectDisposedException.ThrowIf(disposed, this);
        for (var i = 0; i < outputs.Length; i++)
        {
            observe(i, outputs[i].GetTensorDataAsSpan<float>());
        }
    }

    public void Dispose()
    {
        disposed = true;
        binding?.Dispose();
        OrtValues.DisposeAll(outputs);
    }
}
