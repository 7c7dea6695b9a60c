using System.Text.Json.Nodes;
using CompressBuild.Engine.Pipeline;
using CompressBuild.Protocol;
using CompressBuild.Tool.Rendering;
using Xunit;

namespace CompressBuild.Tool.Tests.Rendering;

/// <summary>
/// The engine's side of the json-lines protocol: what <see cref="JsonLinesWriter"/> writes is read back field for field
/// by the task's reader (the shared <see cref="EngineMessageFormat"/>), and is standard JSON for System.Text.Json too.
/// </summary>
public class JsonLinesWriterTests
{
    private const string Odd = "\"q\" \\ \t\r\n\u0001 \u2028 é 日本 \U0001F600";

    [Fact]
    public void Every_kind_the_engine_writes_is_read_back_by_the_tasks_reader()
    {
        var output = new StringWriter();
        var writer = new JsonLinesWriter(output);
        var file = Path.Combine(Path.GetTempPath(), "a b", "compress" + Odd + ".yaml");

        writer.Diagnostic(new DiagnosticLine(DiagnosticLine.Error, "CB1001", "drop " + Odd, file, 12, 5));
        writer.Diagnostic(new DiagnosticLine(DiagnosticLine.Warning, "CB4051", "wide", Path.Combine("rel", "m.onnx")));
        writer.Progress("cnn", "trial 3: " + Odd, "trial", 3, 12);
        writer.Summary("cnn", "/m/cnn.onnx", null, false, "cnn.onnx: " + Odd, ["/r/cnn.json", "/r/" + Odd + ".md"]);
        writer.Result(2);
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        var read = lines.Select(EngineMessageFormat.Parse).ToList();

        Assert.Equal(5, lines.Length);
        Assert.All(lines, line => Assert.All(line, c => Assert.InRange(c, ' ', '~')));
        Assert.Equal(
            [EngineMessageKind.Diagnostic, EngineMessageKind.Diagnostic, EngineMessageKind.Progress, EngineMessageKind.Summary, EngineMessageKind.Result],
            read.Select(m => m.Kind));
        Assert.True(read[0].IsError);
        Assert.Equal(("CB1001", "drop " + Odd, file, 12, 5), (read[0].Code, read[0].Message, read[0].File, read[0].Line, read[0].Column));
        Assert.False(read[1].IsError);
        Assert.Equal((Path.GetFullPath(Path.Combine("rel", "m.onnx")), 0, 0), (read[1].File, read[1].Line, read[1].Column));
        Assert.Equal(("cnn", "trial 3: " + Odd, "trial", 3, 12), (read[2].Model, read[2].Message, read[2].Stage, read[2].Trial, read[2].Trials));
        Assert.Equal(("cnn", "/m/cnn.onnx", null, false, "cnn.onnx: " + Odd), (read[3].Model, read[3].Source, read[3].Output, read[3].Passed, read[3].Message));
        Assert.Equal(["/r/cnn.json", "/r/" + Odd + ".md"], read[3].Reports);
        Assert.Equal(2, read[4].ExitCode);

        // An independent parser agrees on the text of the oddest fields.
        Assert.Equal("drop " + Odd, JsonNode.Parse(lines[0])!["message"]!.GetValue<string>());
        Assert.Equal("/r/" + Odd + ".md", JsonNode.Parse(lines[3])!["reports"]![1]!.GetValue<string>());
    }

    [Fact]
    public void Every_pipeline_event_kind_is_a_progress_stage_the_task_knows()
    {
        string[] stages = [EngineProgressStage.Started, EngineProgressStage.Step, EngineProgressStage.Trial, EngineProgressStage.Finished];

        // RunCommand sends the event kind's name in lower case as the stage.
        Assert.Equal(stages, Enum.GetNames<PipelineEventKind>().Select(n => n.ToLowerInvariant()));
    }
}
