using CompressBuild.Engine.Pipeline;
using Spectre.Console;

namespace CompressBuild.Tool.Rendering;

/// <summary>
/// How <c>run</c> shows progress: live Spectre.Console bars (one per model, advancing per search trial) when
/// stderr is an interactive terminal; plain lines on stderr when it is not, when <c>CI</c> is set, or with
/// <c>--json</c>, because redrawn bars turn into noise in logs and CI consoles.
/// </summary>
internal static class RunProgress
{
    public const string CiVariable = "CI";

    public static bool UseLiveDisplay(CliContext context, bool json) =>
        UseLiveDisplay(context.ErrorIsTerminal, json, Environment.GetEnvironmentVariable(CiVariable), Environment.GetEnvironmentVariable("TERM"));

    public static bool UseLiveDisplay(bool terminal, bool json, string? ci, string? term) =>
        terminal && !json && string.IsNullOrEmpty(ci) && !string.Equals(term, "dumb", StringComparison.Ordinal);

    /// <summary>Runs <paramref name="work"/>, handing it the progress callback of the display that suits the context.</summary>
    public static T Run<T>(CliContext context, bool json, Func<Action<PipelineEvent>, T> work)
    {
        if (!UseLiveDisplay(context, json))
        {
            return work(PlainLine(context.Error));
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.Error),
            Ansi = AnsiSupport.Detect,
            Interactive = InteractionSupport.Yes,
        });
        return LiveProgress.Run(console, work);
    }

    public static Action<PipelineEvent> PlainLine(TextWriter error) => e => error.WriteLine($"[{e.Model}] {e.Message}");
}
