using CompressBuild.Engine.Pipeline;
using Spectre.Console;

namespace CompressBuild.Tool.Rendering;

/// <summary>
/// Spectre.Console progress for <c>run</c>: a bar per model whose length is its trial limit, the current step
/// (calibrating, verifying, cache hit) as its description, and finished trials printed above the bars so the
/// search's history stays on screen after the bars are gone.
/// </summary>
internal static class LiveProgress
{
    // Room left for the bar, spinner and clock; a description that wraps would push the bars off small terminals.
    private const int ColumnsBesideDescription = 36;

    public static T Run<T>(IAnsiConsole console, Func<Action<PipelineEvent>, T> work)
    {
        return console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
            .Start(progress =>
            {
                var bars = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                var width = Math.Clamp(console.Profile.Width - ColumnsBesideDescription, 20, 80);
                return work(e => Show(console, progress, bars, e, width));
            });
    }

    private static void Show(IAnsiConsole console, ProgressContext progress, Dictionary<string, ProgressTask> bars, PipelineEvent e, int width)
    {
        if (!bars.TryGetValue(e.Model, out var bar))
        {
            bar = progress.AddTask(Describe(e, width), maxValue: e.TrialLimit ?? 1);
            bars.Add(e.Model, bar);
        }

        switch (e.Kind)
        {
            case PipelineEventKind.Started:
                bar.MaxValue = e.TrialLimit ?? bar.MaxValue;
                break;
            case PipelineEventKind.Trial:
                bar.Value = Math.Min(bar.MaxValue, e.Trial ?? bar.Value + 1);
                console.MarkupLine($"[grey]{Markup.Escape(e.Model)}[/] {Markup.Escape(e.Message)}");
                break;
            case PipelineEventKind.Finished:
                bar.Value = bar.MaxValue;
                bar.StopTask();
                console.MarkupLine($"[grey]{Markup.Escape(e.Model)}[/] {Markup.Escape(e.Message)}");
                break;
            case PipelineEventKind.Step when e.Message.StartsWith("warning", StringComparison.Ordinal):
                console.MarkupLine($"[yellow]{Markup.Escape(e.Model)} {Markup.Escape(e.Message)}[/]");
                break;
        }

        bar.Description = Describe(e, width);
    }

    private static string Describe(PipelineEvent e, int width)
    {
        var text = $"{e.Model}: {e.Message}";
        return Markup.Escape(text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 3), "..."));
    }
}
