using System.Numerics.Tensors;
using System.Text;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;

namespace CompressBuild.Engine.Evaluation.Metrics;

/// <summary>
/// Greedy CTC decoding of a text recognizer's [T, classes] scores, as PaddleOCR's CTCLabelDecode does: class 0 is the
/// blank, then one class per line of the keys file, then (with <c>appendSpace</c>) the space; the best class of each
/// time step is taken, repeats are merged and blanks dropped.
/// </summary>
public sealed class CtcGreedyDecoder
{
    private readonly string[] classes;

    public CtcGreedyDecoder(IReadOnlyList<string> keys, bool appendSpace = true)
    {
        classes = ["", .. keys, .. appendSpace ? new[] { " " } : []];
        AppendsSpace = appendSpace;
    }

    /// <summary>Blank + keys (+ space): the size of the scores' last axis this decoder expects.</summary>
    public int ClassCount => classes.Length;

    /// <summary>True when the last class is the space PaddleOCR appends after the keys.</summary>
    public bool AppendsSpace { get; }

    /// <summary>Reads a keys file: one character per line, UTF-8 (PaddleOCR's ppocr_keys_v1.txt and its kin).</summary>
    public static CtcGreedyDecoder FromKeysFile(string path, bool appendSpace = true) => new(ReadKeys(path), appendSpace);

    /// <summary>
    /// Reads a keys file as PaddleOCR's CTCLabelDecode does (each line without its line break is one key), refusing what it would
    /// silently misread: a missing file (CB2010), an empty one, an empty line or text that is not UTF-8 (CB2064, with the line).
    /// </summary>
    public static IReadOnlyList<string> ReadKeys(string path)
    {
        if (!File.Exists(path))
        {
            throw new CompressBuildException(DiagnosticCodes.DataInvalid, "CTC keys file not found.", path);
        }

        string text;
        try
        {
            using var reader = new StreamReader(InputFile.OpenRead(path), new UTF8Encoding(false, throwOnInvalidBytes: true));
            text = reader.ReadToEnd();
        }
        catch (DecoderFallbackException)
        {
            throw new CompressBuildException(DiagnosticCodes.CtcKeysInvalid, "the CTC keys file is not UTF-8 text (one character per line).", path);
        }

        var keys = text.Split('\n').Select(k => k.TrimEnd('\r')).ToList();
        if (keys.Count > 0 && keys[^1].Length == 0)
        {
            keys.RemoveAt(keys.Count - 1);
        }

        if (keys.Count == 0)
        {
            throw new CompressBuildException(DiagnosticCodes.CtcKeysInvalid, "the CTC keys file is empty: it must list the recognizer's characters, one per line.", path);
        }

        var empty = keys.FindIndex(k => k.Length == 0);
        if (empty >= 0)
        {
            throw new CompressBuildException(DiagnosticCodes.CtcKeysInvalid,
                "an empty line in the CTC keys file: every line is one character of the recognizer, in the order of its classes.", path, empty + 1, 1);
        }

        return keys;
    }

    /// <summary>
    /// The decoder for a model output whose class axis has <paramref name="width"/> scores: blank + keys + space (width = keys + 2, as
    /// PaddleOCR's use_space_char) or blank + keys (keys + 1). Any other width means the keys are not the model's: CB2066.
    /// </summary>
    public static CtcGreedyDecoder ForWidth(IReadOnlyList<string> keys, long width, string output, string? keysPath = null) =>
        width == keys.Count + 2 ? new(keys, appendSpace: true)
        : width == keys.Count + 1 ? new(keys, appendSpace: false)
        : throw new CompressBuildException(DiagnosticCodes.CtcOutputNotFound,
            $"output '{output}' scores {width} classes per time step but the keys file lists {keys.Count} characters: a CTC recognizer for it " +
                $"scores {keys.Count + 2} (blank, the keys, space) or {keys.Count + 1} (blank, the keys). Give the character list the model was trained with.",
            keysPath);

    /// <param name="scores">Row-major [steps, <see cref="ClassCount"/>] scores (probabilities or logits) of one sample.</param>
    public string Decode(ReadOnlySpan<float> scores)
    {
        if (scores.Length % classes.Length != 0)
        {
            throw new CompressBuildException(DiagnosticCodes.DataDoesNotMatchModel,
                $"{scores.Length} scores are not whole time steps of {classes.Length} CTC classes (blank, the keys, space): the keys file does not match the model.");
        }

        var text = new StringBuilder();
        var previous = 0;
        for (var start = 0; start < scores.Length; start += classes.Length)
        {
            var best = TensorPrimitives.IndexOfMax(scores.Slice(start, classes.Length));
            if (best != 0 && best != previous)
            {
                text.Append(classes[best]);
            }

            previous = best;
        }

        return text.ToString();
    }
}
