using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Evaluation.Metrics;

/// <summary>
/// What the ctc metric scores: the recognizer output to decode, the character list (keys) and, when given, the ground-truth text,
/// one line per sample in the data's order.
/// </summary>
/// <param name="KeysPath">The keys file, for messages; null when the keys were given in memory.</param>
public sealed record CtcScoring(string Output, IReadOnlyList<string> Keys, string? KeysPath, IReadOnlyList<string>? Truth)
{
    /// <summary>
    /// Finds the output of shape [N, T, C] whose class axis fits the keys (C = keys + 2 with the space PaddleOCR appends, or keys + 1);
    /// a symbolic C is checked on the first sample. No such output is CB2066, naming the outputs there are.
    /// </summary>
    public static CtcScoring Find(IReadOnlyList<ValueInfo> outputs, IReadOnlyList<string> keys, string? keysPath, IReadOnlyList<string>? truth)
    {
        var sequences = outputs.Where(o => o.IsTensor && FloatWidening.IsSupported(o.ElementType) && o.Shape.Count == 3).ToList();
        var fitting = sequences.FirstOrDefault(o => o.Shape[2] == keys.Count + 2 || o.Shape[2] == keys.Count + 1)
            ?? sequences.FirstOrDefault(o => o.Shape[2] < 0);
        if (fitting is not null)
        {
            return new CtcScoring(fitting.Name, keys, keysPath, truth);
        }

        if (sequences.Count > 0)
        {
            // The width is the clearest message there is: say what the keys would need.
            _ = CtcGreedyDecoder.ForWidth(keys, sequences[0].Shape[2], sequences[0].Name, keysPath);
        }

        throw new CompressBuildException(DiagnosticCodes.CtcOutputNotFound,
            $"the ctc metric decodes an output of shape [N, T, C] (batch, time steps, {keys.Count + 2} or {keys.Count + 1} classes for these keys); the " +
                $"model's outputs are {string.Join(", ", outputs.Select(o => $"'{o.Name}' {TensorShape.Format(o.Shape)}"))}. A classifier takes evaluation.metric top1.",
            keysPath);
    }
}
