using CompressBuild.Engine.Pipeline;
using CompressBuild.Tool.Rendering;
using Spectre.Console;
using Xunit;

namespace CompressBuild.Tool.Tests.Rendering;

public sealed class RunProgressTests
{
    [Theory]
    [InlineData(true, false, null, "xterm-256color", true)]
    [InlineData(false, false, null, "xterm-256color", false)]
    [InlineData(true, true, null, "xterm-256color", false)]
    [InlineData(true, false, "true", "xterm-256color", false)]
    [InlineData(true, false, "", "xterm-256color", true)]
    [InlineData(true, false, null, "dumb", false)]
    public void Live_bars_only_on_a_terminal_outside_CI_and_without_json(bool terminal, bool json, string? ci, string? term, bool expected) =>
        Assert.Equal(expected, RunProgress.UseLiveDisplay(terminal, json, ci, term));

    [Fact]
    public void Without_a_terminal_every_event_is_one_plain_line_on_stderr()
    {
        var error = new StringWriter();
        var context = new CliContext(new StringWriter(), error);

        var answer = RunProgress.Run(context, json: false, progress =>
        {
            progress(new PipelineEvent("mlp", "compressing mlp.onnx") { Kind = PipelineEventKind.Started, TrialLimit = 3 });
            progress(new PipelineEvent("mlp", "trial 1: requested: meets every budget", 1) { Kind = PipelineEventKind.Trial });
            return 42;
        });

        Assert.Equal(42, answer);
        Assert.Equal(["[mlp] compressing mlp.onnx", "[mlp] trial 1: requested: meets every budget"], error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain('\u001b', error.ToString());
    }

    [Fact]
    public void The_live_display_keeps_finished_trials_and_warnings_on_screen_above_the_bars()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });

        LiveProgress.Run(console, progress =>
        {
            progress(new PipelineEvent("cnn", "compressing cnn.onnx: int8-static") { Kind = PipelineEventKind.Started, TrialLimit = 4 });
            progress(new PipelineEvent("cnn", "requested: verifying against the original"));
            progress(new PipelineEvent("cnn", "warning CB4101: a damaged cache entry for requested was removed and is being rebuilt"));
            progress(new PipelineEvent("cnn", "trial 1: requested: missed CB1006: [logits]", 1) { Kind = PipelineEventKind.Trial });
            progress(new PipelineEvent("cnn", "wrote out/cnn.onnx: 3.9x smaller") { Kind = PipelineEventKind.Finished });
            return 0;
        });

        var text = output.ToString();
        Assert.Contains("trial 1: requested: missed CB1006: [logits]", text, StringComparison.Ordinal);
        Assert.Contains("warning CB4101", text, StringComparison.Ordinal);
        Assert.Contains("wrote out/cnn.onnx: 3.9x smaller", text, StringComparison.Ordinal);
        Assert.Contains("\u001b[", text, StringComparison.Ordinal); // drawn with ANSI, not as plain lines
    }
}
