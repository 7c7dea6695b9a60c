namespace CompressBuild.Engine.Runtime;

/// <summary>
/// A run prepared once and invoked many times: the OrtValues wrap the caller's pinned tensors, so each
/// <see cref="Invoke"/> is one ORT Run call with no allocation, which keeps latency measurements honest.
/// </summary>
public sealed class BoundRun : IDisposable
{
    private readonly InferenceSession session;
    private readonly IReadOnlyList<HostTensor> inputs;
    private readonly string[] outputNames;
    private readonly nint[] inputValues;
    private readonly nint[] outputValues;
    private bool disposed;

    internal BoundRun(InferenceSession session, IReadOnlyList<HostTensor> inputs, IReadOnlyList<HostTensor> outputs)
    {
        if (outputs.Any(o => o.IsString))
        {
            throw new ArgumentException("string outputs cannot be written in place; use Run instead.", nameof(outputs));
        }

        this.session = session;
        this.inputs = inputs;
        Outputs = outputs;
        outputNames = outputs.Select(o => o.Name).ToArray();
        inputValues = OrtValues.CreateAll(inputs);
        try
        {
            outputValues = OrtValues.CreateAll(outputs);
        }
        catch
        {
            OrtValues.ReleaseAll(inputValues);
            throw;
        }
    }

    public IReadOnlyList<HostTensor> Outputs { get; }

    public void Invoke()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        session.Invoke(inputs, inputValues, outputNames, outputValues);
    }

    public void Dispose()
    {
        disposed = true;
        OrtValues.ReleaseAll(inputValues);
        OrtValues.ReleaseAll(outputValues);
    }
}
