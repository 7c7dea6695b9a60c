using System.Globalization;
using System.Text;

namespace CompressBuild.Benchmarks.Reporting;

/// <summary>The report as Markdown, for artifacts/benchmarks/model-io.md and for pasting into an issue.</summary>
internal static class MarkdownReport
{
    public static string Render(ModelIoReport report)
    {
        var m = report.Model;
        var text = new StringBuilder();
        text.AppendLine("# Model load + save benchmark (model-io)");
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Model: synthetic MLP, {m.Layers} layers of MatMul + Add (+ Relu), {m.Width}x{m.Width} float32 weights; inline file {m.InlineBytes / Mib:0.0} MiB, external-data " +
            $"copy {m.ExternalModelBytes / 1024.0:0.0} KiB + {m.ExternalDataBytes / Mib:0.0} MiB."));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Runs: {report.Repeat} per scenario, each in a fresh child process; medians shown. {report.Runtime}, {report.ProcessorCount} cores. Input files are in the page " +
            $"cache (warm reads)."));
        text.AppendLine(Invariant($"Target: peak resident memory below {report.TargetMultiple:0.0}x the model's size: {(report.MeetsTarget ? "met" : "NOT met")}."));
        text.AppendLine();
        text.AppendLine("| " + string.Join(" | ", ReportTable.Headers) + " |");
        text.AppendLine("|" + string.Concat(ReportTable.Headers.Select((_, i) => i == 0 ? "---|" : "---:|")));
        foreach (var row in ReportTable.Rows(report))
        {
            text.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        text.AppendLine();
        text.AppendLine("- *Peak MiB* is the child's VmHWM at its end; *Start MiB* its VmHWM right after start-up, before touching the model; *Net/model* = (Peak - Start) / model size.");
        text.AppendLine("- *Alloc/model*: managed bytes allocated during the scenario per byte of model; 1x is the unavoidable copy of the weights into memory.");
        text.AppendLine("- Times are medians (*Best s*: the fastest run). Writes can vary a lot from run to run on a virtual machine, the raw baselines' single write included, and depend on what " +
            "ran just before; scenarios run in a new order each round, so compare them over several runs (`--repeat`).");
        text.AppendLine("- *load-external-save-inline* loads only the small .onnx file; its weights are read from the .data file during the save, when the writer inlines them.");
        text.AppendLine("- *Raw I/O s*: the matching baseline (File.ReadAllBytes for load; ReadAllBytes + write + fsync for load + save, since the engine flushes its output to disk before the " +
            "atomic rename). *Beyond I/O* = 1 - raw / total: the share of the time spent on parsing, serializing and copying.");
        return text.ToString();
    }

    private const double Mib = 1024 * 1024;

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
