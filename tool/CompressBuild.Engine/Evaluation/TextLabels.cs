using System.Text;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;

namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// Ground-truth text for the ctc metric: a UTF-8 text file with one line per sample, in the data's order (the form
/// tests/models/ocr_inputs.py --text and PaddleOCR's label lists write). A line is taken as it is, without its line break: an
/// empty line is a sample with no text. Refused with CB2065: a .npy file, an empty file, text that is not UTF-8.
/// </summary>
public static class TextLabels
{
    public static IReadOnlyList<string> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new CompressBuildException(DiagnosticCodes.DataInvalid, "labels file not found.", path);
        }

        if (Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase))
        {
            throw new CompressBuildException(DiagnosticCodes.TextLabelsInvalid,
                "the ctc metric scores text: its labels are a UTF-8 text file with each sample's text on its own line, not a .npy array.", path);
        }

        string text;
        try
        {
            using var reader = new StreamReader(InputFile.OpenRead(path), new UTF8Encoding(false, throwOnInvalidBytes: true));
            text = reader.ReadToEnd();
        }
        catch (DecoderFallbackException)
        {
            throw new CompressBuildException(DiagnosticCodes.TextLabelsInvalid, "the text labels are not UTF-8: write each sample's text on its own line in UTF-8.", path);
        }

        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        if (lines.Count == 0)
        {
            throw new CompressBuildException(DiagnosticCodes.TextLabelsInvalid, "the text labels file is empty: it needs one line of text per sample.", path);
        }

        return lines;
    }

    /// <summary>Fails with CB2065 unless there is exactly one line per sample; the line is where the two part ways.</summary>
    public static void CheckCount(IReadOnlyList<string> lines, int sampleCount, string labelsPath, string dataPath)
    {
        if (lines.Count != sampleCount)
        {
            throw new CompressBuildException(DiagnosticCodes.TextLabelsInvalid,
                $"{lines.Count} lines of text for {sampleCount} samples in '{dataPath}': expected one line per sample, in the data's order.",
                labelsPath, Math.Min(lines.Count, sampleCount) + 1, 1);
        }
    }
}
