using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using Google.Protobuf;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>
/// <see cref="HeldOutChoice"/>'s results in this process, keyed by everything the choice depends on: the model's bytes, the
/// options (rounding and smooth as the user gave them) and the calibration samples' bytes. The pipeline search quantizes
/// the same model with the same options and data at each step (keep_float_top, latency_aware and mode fall-backs change
/// nothing the choice reads), and used to choose again each time with the same result. A model with external data is not
/// cached (its bytes are not all in the proto). Bounded: a process that quantizes many models keeps the latest few.
/// </summary>
internal static class RoundingChoiceCache
{
    /// <summary>Entries kept; a build holds one per model and quantize pass, a search a handful.</summary>
    public const int Capacity = 64;

    private static readonly ConcurrentDictionary<string, Lazy<(QuantizationOptions Options, RoundingChoice Choice)>> Entries = new(StringComparer.Ordinal);
    private static readonly ConcurrentQueue<string> Order = new();

    /// <summary>The cached choice for this model, options and data, or <paramref name="choose"/>'s, computed once per key.</summary>
    public static (QuantizationOptions Options, RoundingChoice Choice) GetOrChoose(OnnxModel model, QuantizationOptions options, Dataset calibration,
        Func<(QuantizationOptions Options, RoundingChoice Choice)> choose)
    {
        if (Key(model, options, calibration) is not { } key)
        {
            return choose();
        }

        var created = false;
        var entry = Entries.GetOrAdd(key, _ => new Lazy<(QuantizationOptions, RoundingChoice)>(() =>
        {
            created = true;
            return choose();
        }));
        (QuantizationOptions Options, RoundingChoice Choice) result;
        try
        {
            result = entry.Value;
        }
        catch
        {
            // A failed choice (deadline, bad data) is not remembered: the next request tries again.
            Entries.TryRemove(key, out _);
            throw;
        }

        if (created)
        {
            Order.Enqueue(key);
            while (Order.Count > Capacity && Order.TryDequeue(out var oldest))
            {
                Entries.TryRemove(oldest, out _);
            }

            return result;
        }

        // The caller's options may differ in what the choice does not read (nothing today), so only rounding and smooth are taken over.
        return (options with { Rounding = result.Options.Rounding, Smooth = result.Options.Smooth }, result.Choice with { Reused = true });
    }

    /// <summary>SHA-256 of the model, the options and the samples; null when the model keeps tensors in external files.</summary>
    internal static string? Key(OnnxModel model, QuantizationOptions options, Dataset calibration)
    {
        if (Subgraphs.All(model.Graph).SelectMany(g => g.Initializer).Any(ExternalDataReference.IsExternal))
        {
            return null;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(model.Proto.ToByteArray());
        hash.AppendData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(options) + $"|compact={options.CompactGraph}|samples={calibration.Count}"));
        Span<byte> number = stackalloc byte[8];
        for (var i = 0; i < calibration.Count; i++)
        {
            foreach (var tensor in calibration.Sample(i))
            {
                hash.AppendData(Encoding.UTF8.GetBytes(tensor.Name + "\n"));
                // Every variable-length part is preceded by its length, so no two different samples hash the same stream.
                BitConverter.TryWriteBytes(number, (long)tensor.ElementType);
                hash.AppendData(number);
                BitConverter.TryWriteBytes(number, (long)tensor.Shape.Length);
                hash.AppendData(number);
                foreach (var d in tensor.Shape)
                {
                    BitConverter.TryWriteBytes(number, d);
                    hash.AppendData(number);
                }

                var data = tensor.IsString ? Encoding.UTF8.GetBytes(string.Join("\0", tensor.Strings ?? [])) : tensor.Data;
                BitConverter.TryWriteBytes(number, (long)data.Length);
                hash.AppendData(number);
                hash.AppendData(data);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
