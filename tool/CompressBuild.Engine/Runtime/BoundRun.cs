using Microsoft.ML.OnnxRuntime;

namespace CompressBuild.Engine.Runtime;

/// <summary>
/// A run prepared once and invoked many times through an <see cref="OrtIoBinding"/>: the OrtValues wrap the caller's
/// pinned tensors, so each <see cref="Invoke"/> is one ORT call with no allocation, which keeps latency measurements honest.
/// </summary>
public sealed class BoundRun : IDisposable
{
    private readonly InferenceSession session;
    private readonly OrtValue[] inputValues;
    private readonly OrtValue[] outputValues;
    private readonly OrtIoBinding binding;

    // The OrtValues point into the tensors' pinned arrays without referencing them: the run keeps the inputs alive (Outputs are kept
    // as a property), or a GC could free them while ORT still reads them.
    private readonly IReadOnlyList<HostTensor> inputs;
    private bool disposed;

    internal BoundRun(InferenceSession session, IReadOnlyList<HostTensor> inputs, IReadOnlyList<HostTensor> outputs)
    {
        if (outputs.Any(o => o.IsString))
        {
            throw new ArgumentException("string outputs cannot be written in place; use Run instead.", nameof(outputs));
        }

        this.session = session;
        Outputs = outputs;
        this.inputs = inputs;
        inputValues = OrtValues.CreateAll(inputs);
        outputValues = [];
        binding = null!;
        try
        {
            outputValues = OrtValues.CreateAll(outputs);
            binding = session.CreateBinding();
            for (var i = 0; i < inputs.Count; i++)
            {
                var (name, value) = (inputs[i].Name, inputValues[i]);
                InferenceSession.Call(() => binding.BindInput(name, value));
            }

            for (var i = 0; i < outputs.Count; i++)
            {
                var (name, value) = (outputs[i].Name, outputValues[i]);
                InferenceSession.Call(() => binding.BindOutput(name, value));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IReadOnlyList<HostTensor> Outputs { get; }

    public void Invoke()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        session.RunBound(binding);
        GC.KeepAlive(inputs);
    }

    public void Dispose()
    {
        disposed = true;
        binding?.Dispose();
        OrtValues.DisposeAll(inputValues);
        OrtValues.DisposeAll(outputValues);
    }
}
