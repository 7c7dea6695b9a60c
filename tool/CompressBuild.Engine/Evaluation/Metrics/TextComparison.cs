using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;

namespace CompressBuild.Engine.Evaluation.Metrics;

/// <summary>
/// Running ctc metric of one recognizer output, batch by batch: each row of [N, T, C] scores is greedy-decoded for both models and
/// scored by character accuracy against the next truth line (or, without truth, against the reference's text). Holds one line's text
/// at a time.
/// </summary>
public sealed class TextComparison(CtcScoring scoring)
{
    private readonly CharacterAccuracy reference = new();
    private readonly CharacterAccuracy candidate = new();
    private readonly CharacterAccuracy agreement = new();
    private readonly List<char> outsideKeys = [];
    private HashSet<char>? known;
    private CtcGreedyDecoder? decoder;
    private int referenceRight;
    private int candidateRight;
    private int line;

    public string Output => scoring.Output;

    /// <summary>Adds one (batched) run's output of both models; <paramref name="shape"/> is the reference's [N, T, C].</summary>
    public void Add(ReadOnlySpan<float> referenceScores, ReadOnlySpan<float> candidateScores, IReadOnlyList<long> shape)
    {
        if (shape.Count != 3)
        {
            throw new CompressBuildException(DiagnosticCodes.CtcOutputNotFound,
                $"the ctc metric decodes [N, T, C] scores, but output '{scoring.Output}' has shape {TensorShape.Format(shape)} on this sample.", scoring.KeysPath);
        }

        if (decoder is null || decoder.ClassCount != shape[2])
        {
            decoder = CtcGreedyDecoder.ForWidth(scoring.Keys, shape[2], scoring.Output, scoring.KeysPath);
            known = [.. scoring.Keys.Where(k => k.Length == 1).Select(k => k[0]), .. decoder.AppendsSpace ? new[] { ' ' } : []];
        }

        var stride = checked((int)(shape[1] * shape[2]));
        for (var row = 0; row < shape[0]; row++, line++)
        {
            var referenceText = decoder.Decode(referenceScores.Slice(row * stride, stride));
            var candidateText = decoder.Decode(candidateScores.Slice(row * stride, stride));
            agreement.Add(candidateText, referenceText);
            var truth = scoring.Truth is { } lines ? lines[Math.Min(line, lines.Count - 1)] : referenceText;
            reference.Add(referenceText, truth);
            candidate.Add(candidateText, truth);
            referenceRight += referenceText == truth ? 1 : 0;
            candidateRight += candidateText == truth ? 1 : 0;
            if (scoring.Truth is not null)
            {
                NoteOutsideKeys(truth);
            }
        }
    }

    private void NoteOutsideKeys(string truth)
    {
        foreach (var c in truth)
        {
            if (!known!.Contains(c) && !outsideKeys.Contains(c))
            {
                outsideKeys.Add(c);
            }
        }
    }

    public TextAccuracy Result() => new(
        scoring.Output,
        decoder?.ClassCount ?? 0,
        decoder?.AppendsSpace ?? false,
        reference.Lines,
        reference.Characters,
        scoring.Truth is not null,
        reference.Value,
        candidate.Value,
        agreement.Value,
        reference.Lines == 0 ? 1 : (double)referenceRight / reference.Lines,
        reference.Lines == 0 ? 1 : (double)candidateRight / reference.Lines,
        new string([.. outsideKeys]));
}
