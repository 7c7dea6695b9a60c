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
}
