using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// Groups the samples of a dataset (each with a batch axis of 1) into batches of N along the first axis, for
/// models whose first input dimension is symbolic. The last batch holds what is left.
/// </summary>
public static class DatasetBatching
{
    public static Dataset Batch(Dataset data, int batch, IReadOnlyList<ValueInfo> inputs, string file)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (batch == 1)
        {
            return data;
        }

        var fixedInput = inputs.FirstOrDefault(i => i.Shape.Count == 0 || i.Shape[0] >= 0);
        if (fixedInput is not null)
        {
            throw new CompressBuildException(DiagnosticCodes.BatchNotSupported,
                $"batch {batch} needs a symbolic first dimension on every input, but input '{fixedInput.Name}' has shape {DatasetLoader.FormatShape(fixedInput)}; use batch 1.", file);
        }

        var count = (data.Count + batch - 1) / batch;
        return new Dataset(data.Source, count, index =>
        {
            var first = index * batch;
            var parts = Enumerable.Range(first, Math.Min(batch, data.Count - first)).Select(data.Sample).ToList();
            return parts[0].Select((tensor, k) => Concatenate(parts.Select(p => p[k]).ToList())).ToList();
        });
    }

    private static HostTensor Concatenate(List<HostTensor> parts)
    {
        var shape = (long[])parts[0].Shape.Clone();
        shape[0] = parts.Sum(p => p.Shape[0]);
        if (parts[0].IsString)
        {
            return HostTensor.FromStrings(parts[0].Name, shape, parts.SelectMany(p => p.Strings!).ToArray());
        }

        var batched = HostTensor.Zeros(parts[0].Name, parts[0].ElementType, shape);
        var offset = 0;
        foreach (var part in parts)
        {
            part.Data.CopyTo(batched.Data, offset);
            offset += part.Data.Length;
        }

        return batched;
    }
}
