using System.Collections.Concurrent;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>
/// One held-out choice's results in this process (<see cref="RoundingChoiceCache"/> holds the two int8-static makes), keyed by
/// everything the choice depends on (<see cref="RoundingChoiceCache.Key"/>). The pipeline search quantizes the same model with
/// the same options and data at each step, and each choice would measure the same thing again with the same result. Bounded:
/// a process that quantizes many models keeps the latest <see cref="RoundingChoiceCache.Capacity"/>.
/// </summary>
internal sealed class HeldOutChoiceCache<TChoice>
{
    private readonly ConcurrentDictionary<string, Lazy<(QuantizationOptions Options, TChoice Choice)>> entries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> order = new();

    /// <summary>The cached choice for this model, options and data, or <paramref name="choose"/>'s, computed once per key; Reused says which.</summary>
    public (QuantizationOptions Options, TChoice Choice, bool Reused) GetOrChoose(OnnxModel model, QuantizationOptions options, Dataset calibration,
        Func<(QuantizationOptions Options, TChoice Choice)> choose)
    {
        if (RoundingChoiceCache.Key(model, options, calibration) is not { } key)
        {
            var (chosen, choice) = choose();
            return (chosen, choice, false);
        }

        var created = false;
        var entry = entries.GetOrAdd(key, _ => new Lazy<(QuantizationOptions, TChoice)>(() =>
        {
            created = true;
            return choose();
        }));
        (QuantizationOptions Options, TChoice Choice) result;
        try
        {
            result = entry.Value;
        }
        catch
        {
            // A failed choice (deadline, bad data) is not remembered: the next request tries again.
            entries.TryRemove(key, out _);
            throw;
        }

        if (created)
        {
            order.Enqueue(key);
            while (order.Count > RoundingChoiceCache.Capacity && order.TryDequeue(out var oldest))
            {
                entries.TryRemove(oldest, out _);
            }
        }

        return (result.Options, result.Choice, !created);
    }
}
