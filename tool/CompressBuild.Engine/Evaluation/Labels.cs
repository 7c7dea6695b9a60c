using System.Globalization;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx;

namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// Class labels for accuracy: an integer .npy of shape [N] or [N,1], or a text file with one integer per line
/// (blank lines and lines starting with # are skipped; a bad line is reported with its number).
/// </summary>
public static class Labels
{
    public static long[] Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new CompressBuildException(DiagnosticCodes.DataInvalid, "labels file not found.", path);
        }

        return Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase) ? FromNpy(path) : FromText(path);
    }

    /// <summary>Fails with CB2011 unless there is exactly one label per sample.</summary>
    public static void CheckCount(long[] labels, int sampleCount, string labelsPath, string dataPath)
    {
        if (labels.Length != sampleCount)
        {
            throw new CompressBuildException(DiagnosticCodes.DataDoesNotMatchModel,
                $"{labels.Length} labels for {sampleCount} samples in '{dataPath}': expected one label per sample.", labelsPath);
        }
    }

    private static long[] FromNpy(string path)
    {
        var array = NpyFile.Open(path);
        var integral = array.ElementType is not (1 or 10 or 11 or 16) && FloatWidening.IsSupported(array.ElementType);
        if (!integral || array.Shape.Length is 0 or > 2 || (array.Shape.Length == 2 && array.Shape[1] != 1))
        {
            throw new CompressBuildException(DiagnosticCodes.DataInvalid,
                $"labels must be an integer array of shape [N] or [N,1]; this one is {ElementType.Name(array.ElementType)} {TensorShape.Format(array.Shape)}.", path);
        }

        var all = array.ReadAll("labels");
        if (array.ElementType == (int)Onnx.Proto.TensorProto.Types.DataType.Int64)
        {
            return all.AsSpan<long>().ToArray();
        }

        var values = new float[all.ElementCount];
        FloatWidening.TryWiden(array.ElementType, all.Data, values);
        return values.Select(v => (long)v).ToArray();
    }

    private static long[] FromText(string path)
    {
        var labels = new List<long>();
        var lineNumber = 0;
        using var reader = new StreamReader(InputFile.OpenRead(path));
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var label))
            {
                throw new CompressBuildException(DiagnosticCodes.DataInvalid, $"'{text}' is not an integer class label.", path, lineNumber, 1);
            }

            labels.Add(label);
        }

        return [.. labels];
    }
}
