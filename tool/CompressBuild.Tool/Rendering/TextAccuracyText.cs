using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Reporting;

namespace CompressBuild.Tool.Rendering;

/// <summary>The ctc metric as verify prints it: what was decoded, both models' character accuracy, then the drop.</summary>
internal static class TextAccuracyText
{
    public static void Write(TextWriter o, TextAccuracy text, string? keys)
    {
        o.WriteLine($"Text        {TextAccuracySummary.Line(text, keys)}");
        var table = new TextTable([.. TextAccuracySummary.Columns]);
        foreach (var row in TextAccuracySummary.Rows(text))
        {
            table.Add([.. row]);
        }

        table.WriteTo(o);
        o.WriteLine($"            {TextAccuracySummary.Drop(text)}");
    }
}
