using CompressBuild.Engine.Quantization.Fusion;
using CompressBuild.Engine.Reporting;

namespace CompressBuild.Tool.Rendering;

/// <summary>The fusion report as quantize and verify print it: one summary line, then integer kernels and float ops per op type.</summary>
internal static class FusionText
{
    public static void Write(TextWriter o, FusionReport fusion)
    {
        o.WriteLine($"Fusion      {FusionSummary.Line(fusion)}");
        var table = new TextTable("runs as", "op type", "nodes");
        foreach (var (runsAs, opType, count) in FusionSummary.Rows(fusion))
        {
            table.Add(runsAs, opType, count);
        }

        table.WriteTo(o);
    }
}
