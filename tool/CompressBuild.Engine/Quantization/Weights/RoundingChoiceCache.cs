using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using Google.Protobuf;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>
/// The held-out choices of int8-static's default in this process: <see cref="HeldOutChoice"/>'s rounding and smoothing, and
/// <see cref="Calibration.TailRangeChoice"/>'s long-tailed ranges, each keyed by everything it depends on: the model's bytes, the
/// options (as the choice receives them) and the calibration samples' bytes. The pipeline search quantizes the same model with
/// the same options and data at each step (keep_float_top, latency_aware and mode fall-backs change nothing the choices read),
/// and used to choose again each time with the same result. A model with external data is not cached (its bytes are not all in
/// the proto).
/// </summary>
internal static class RoundingChoiceCache
{
    /// <summary>Entries kept per choice; a build holds one per model and quantize pass, a search a handful.</summary>
    public const int Capacity = 64;

    private static readonly HeldOutChoiceCache<RoundingChoice> Roundings = new();

    /// <summary>The long-tailed activation ranges <see cref="Calibration.TailRangeChoice"/> chose.</summary>
    internal static readonly HeldOutChoiceCache<Calibration.TailRangeReport> TailRanges = new();

    /// <summary>The cached rounding choice for this model, options and data, or <paramref name="choose"/>'s, computed once per key.</summary>
    public static (QuantizationOptions Options, RoundingChoice Choice) GetOrChoose(OnnxModel model, QuantizationOptions options, Dataset calibration,
        Func<(QuantizationOptions Options, RoundingChoice Choice)> choose)
    {
        var (chosen, choice, reused) = Roundings.GetOrChoose(model, options, calibration, choose);
        // The caller's options may differ in what the choice does not read (nothing today), so only what it chooses is taken over.
        return reused ? (options with { Rounding = chosen.Rounding, Smooth = chosen.Smooth, Calibration = chosen.Calibration }, choice with { Reused = true }) : (chosen, choice);
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
