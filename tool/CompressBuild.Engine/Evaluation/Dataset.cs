using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// Samples to feed a model, one list of named input tensors per sample, read on demand so that memory does not
/// grow with the number of samples. Built by <see cref="DatasetLoader"/>, which has checked every input's type
/// and shape against the model.
/// </summary>
public sealed class Dataset
{
    private readonly Func<int, IReadOnlyList<HostTensor>> read;

    internal Dataset(string source, int count, Func<int, IReadOnlyList<HostTensor>> read)
    {
        Source = source;
        Count = count;
        this.read = read;
    }

    public string Source { get; }

    public int Count { get; }

    public IReadOnlyList<HostTensor> Sample(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return read(index);
    }

    public Dataset Take(int limit) => limit >= Count ? this : new Dataset(Source, limit, read);

    /// <summary>Every <paramref name="stride"/>-th sample from <paramref name="offset"/> on (0, 2, 4... and 1, 3, 5... split a set in two halves).</summary>
    internal Dataset Every(int stride, int offset)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return new Dataset(Source, Math.Max(0, (Count - offset + stride - 1) / stride), i => read(offset + (i * stride)));
    }
}
