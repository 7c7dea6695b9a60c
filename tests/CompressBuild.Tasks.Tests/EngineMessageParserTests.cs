using Xunit;

namespace CompressBuild.Tasks.Tests;

public class EngineMessageParserTests
{
    [Fact]
    public void An_error_diagnostic_keeps_its_code_message_and_position()
    {
        var m = EngineMessageParser.Parse("""{"kind":"diagnostic","severity":"error","code":"CB1001","message":"cnn: top-1 accuracy dropped 2.3 points (budget 1.0)","file":"/abs/compress.yaml","line":14,"column":7}""");

        Assert.Equal(EngineMessageKind.Diagnostic, m.Kind);
        Assert.True(m.IsError);
        Assert.Equal("CB1001", m.Code);
        Assert.Equal("cnn: top-1 accuracy dropped 2.3 points (budget 1.0)", m.Message);
        Assert.Equal("/abs/compress.yaml", m.File);
        Assert.Equal(14, m.Line);
        Assert.Equal(7, m.Column);
    }

    [Fact]
    public void A_warning_without_a_position_has_no_file_and_zero_line()
    {
        var m = EngineMessageParser.Parse("""{"kind":"diagnostic","severity":"warning","code":"CB4055","message":"nothing to check"}""");

        Assert.False(m.IsError);
        Assert.Equal("CB4055", m.Code);
        Assert.Null(m.File);
        Assert.Equal(0, m.Line);
        Assert.Equal(0, m.Column);
    }

    [Fact]
    public void Escapes_in_strings_are_decoded()
    {
        var m = EngineMessageParser.Parse("""{"kind":"diagnostic","severity":"error","code":"CB2001","message":"model \"a b\"\ttab \u00e9 \\ end","file":"C:\\M\u00fcller\\m.onnx"}""");

        Assert.Equal("model \"a b\"\ttab é \\ end", m.Message);
        Assert.Equal("C:\\Müller\\m.onnx", m.File);
    }

    [Fact]
    public void Progress_summary_and_result_lines_are_recognised()
    {
        var progress = EngineMessageParser.Parse("""{"kind":"progress","model":"cnn","message":"trial 1 (requested): int8-static: passed"}""");
        var summary = EngineMessageParser.Parse("""{"kind":"summary","model":"cnn","source":"/abs/Models/cnn.onnx","output":"/abs/obj/cnn.onnx","passed":true,"text":"cnn.onnx: int8-static, 3.9x smaller","reports":["/abs/report/cnn.json","/abs/report/cnn.md"]}""");
        var result = EngineMessageParser.Parse("""{"kind":"result","exitCode":2}""");

        Assert.Equal(EngineMessageKind.Progress, progress.Kind);
        Assert.Equal("cnn", progress.Model);
        Assert.Equal("trial 1 (requested): int8-static: passed", progress.Message);
        Assert.Equal(EngineMessageKind.Summary, summary.Kind);
        Assert.True(summary.Passed);
        Assert.Equal("/abs/obj/cnn.onnx", summary.Output);
        Assert.Equal("cnn.onnx: int8-static, 3.9x smaller", summary.Message);
        Assert.Equal(["/abs/report/cnn.json", "/abs/report/cnn.md"], summary.Reports);
        Assert.Equal(EngineMessageKind.Result, result.Kind);
        Assert.Equal(2, result.ExitCode);
    }

    [Theory]
    [InlineData("You must install or update .NET to run this application.")]
    [InlineData("{\"kind\":\"diagnostic\",\"message\":\"unterminated}")]
    [InlineData("{\"kind\":\"diagnostic\"} trailing")]
    [InlineData("[1,2]")]
    public void Lines_that_are_not_the_engines_objects_come_back_as_text(string line)
    {
        var m = EngineMessageParser.Parse(line);

        Assert.Equal(EngineMessageKind.Text, m.Kind);
        Assert.Equal(line, m.RawLine);
    }

    [Fact]
    public void An_unknown_kind_is_text_so_a_newer_engine_does_not_break_an_older_task()
    {
        Assert.Equal(EngineMessageKind.Text, EngineMessageParser.Parse("""{"kind":"telemetry","x":[1,{"y":null}],"z":-1.5e3}""").Kind);
    }
}
