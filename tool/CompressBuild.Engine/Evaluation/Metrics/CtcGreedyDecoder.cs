using System.Numerics.Tensors;
using System.Text;
using CompressBuild.Engine.Diagnostics;

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
    }

    /// <summary>Blank + keys (+ space): the size of the scores' last axis this decoder expects.</summary>
    public int ClassCount => classes.Length;

    /// <summary>Reads a keys file: one character per line, UTF-8 (PaddleOCR's ppocr_keys_v1.txt and its kin).</summary>
    public static CtcGreedyDecoder FromKeysFile(string path, bool appendSpace = true)
    {
        if (!File.Exists(path))
        {
            throw new CompressBuildException(DiagnosticCodes.DataInvalid, "CTC keys file not found.", path);
        }

        var keys = File.ReadAllText(path, Encoding.UTF8).Split('\n').Select(k => k.TrimEnd('\r')).ToList();
        if (keys.Count > 0 && keys[^1].Length == 0)
        {
            keys.RemoveAt(keys.Count - 1);
        }

        return new CtcGreedyDecoder(keys, appendSpace);
    }

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
