using CompressBuild.Protocol;
using Xunit;

namespace CompressBuild.Tasks.Tests.Protocol;

public class EngineMessageFormatTests
{
    [Fact]
    public void An_error_diagnostic_keeps_its_code_message_and_position()
    {
        var m = EngineMessageFormat.Parse("""{"kind":"diagnostic","severity":"error","code":"CB1001","message":"cnn: top-1 accuracy dropped 2.3 points """
            + """(budget 1.0)","file":"/abs/compress.yaml","line":14,"column":7}""");

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
        var m = EngineMessageFormat.Parse("""{"kind":"diagnostic","severity":"warning","code":"CB4055","message":"nothing to check"}""");

        Assert.False(m.IsError);
        Assert.Equal("CB4055", m.Code);
        Assert.Null(m.File);
        Assert.Equal(0, m.Line);
        Assert.Equal(0, m.Column);
    }

    [Fact]
    public void Escapes_in_strings_are_decoded()
    {
        var m = EngineMessageFormat.Parse("""{"kind":"diagnostic","severity":"error","code":"CB2001","message":"model \"a b\"\ttab \u00e9 \\ end","file":"C:\\M\u00fcller\\m.onnx"}""");

        Assert.Equal("model \"a b\"\ttab é \\ end", m.Message);
        Assert.Equal("C:\\Müller\\m.onnx", m.File);
    }

    [Fact]
    public void Progress_summary_and_result_lines_are_recognised()
    {
        var progress = EngineMessageFormat.Parse("""{"kind":"progress","model":"cnn","message":"trial 1 (requested): int8-static: passed"}""");
        var summary = EngineMessageFormat.Parse("""{"kind":"summary","model":"cnn","source":"/abs/Models/cnn.onnx","output":"/abs/obj/cnn.onnx","passed":true,"text":"cnn.onnx: int8-static, """
            + """3.9x smaller","reports":["/abs/report/cnn.json","/abs/report/cnn.md"]}""");
        var result = EngineMessageFormat.Parse("""{"kind":"result","exitCode":2}""");

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
        var m = EngineMessageFormat.Parse(line);

        Assert.Equal(EngineMessageKind.Text, m.Kind);
        Assert.Equal(line, m.RawLine);
    }

    [Fact]
    public void An_unknown_kind_is_text_so_a_newer_engine_does_not_break_an_older_task()
    {
        Assert.Equal(EngineMessageKind.Text, EngineMessageFormat.Parse("""{"kind":"telemetry","x":[1,{"y":null}],"z":-1.5e3}""").Kind);
    }

    /// <summary>Quotes, backslashes, control characters, a line separator, accents, an emoji (a surrogate pair) and a lone surrogate.</summary>
    private const string Odd = "\"q\" \\ \t\r\n\u0001\u001f\u007f \u2028 é Ω 日本 \U0001F600 \ud800 <&>'+`";

    public static TheoryData<string> Kinds => ["diagnostic", "progress", "summary", "result"];

    [Fact]
    public void Every_field_of_every_kind_survives_a_round_trip()
    {
        EngineMessage[] messages =
        [
            new() { Kind = EngineMessageKind.Diagnostic, IsError = true, Code = "CB1001", Message = "m " + Odd, File = "/p/" + Odd, Line = 12, Column = 5 },
            new() { Kind = EngineMessageKind.Diagnostic, IsError = false, Code = "CB4051", Message = "w" },
            new() { Kind = EngineMessageKind.Progress, Model = "cnn" + Odd, Message = "trial 2: " + Odd, Stage = EngineProgressStage.Trial, Trial = 2, Trials = 12 },
            new() { Kind = EngineMessageKind.Progress, Model = "cnn", Message = "step" },
            new()
            {
                Kind = EngineMessageKind.Summary, Model = "cnn", Source = "/s/" + Odd, Output = "/o/" + Odd, Passed = true, Message = "text " + Odd,
                Reports = ["/r/a.json", "/r/" + Odd + ".md"],
            },
            new() { Kind = EngineMessageKind.Summary, Model = "cnn", Source = "/s", Output = null, Passed = false, Message = "missed", Reports = [] },
            new() { Kind = EngineMessageKind.Result, ExitCode = 2 },
        ];

        foreach (var sent in messages)
        {
            var line = EngineMessageFormat.Write(sent);
            var read = EngineMessageFormat.Parse(line);

            Assert.Equal(line, read.RawLine);
            Assert.Equal(Fields(sent), Fields(read));
        }
    }

    [Fact]
    public void Written_lines_are_printable_ascii_on_one_line()
    {
        var line = EngineMessageFormat.Write(new EngineMessage { Kind = EngineMessageKind.Diagnostic, IsError = true, Code = "CB2001", Message = Odd, File = Odd });

        Assert.All(line, c => Assert.InRange(c, ' ', '~'));
        Assert.StartsWith("""{"kind":"diagnostic",""", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_of_a_megabyte_round_trips()
    {
        var text = string.Concat(Enumerable.Range(0, 100_000).Select(i => i % 7 == 0 ? "é\"\\" : "abcdefghij"));
        var sent = new EngineMessage { Kind = EngineMessageKind.Summary, Model = "big", Source = "/s", Message = text, Reports = [text] };

        var line = EngineMessageFormat.Write(sent);
        var read = EngineMessageFormat.Parse(line);

        Assert.True(line.Length > 1_000_000, line.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(text, read.Message);
        Assert.Equal([text], read.Reports);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Unknown_fields_from_a_newer_engine_are_ignored(string kind)
    {
        var sent = kind switch
        {
            "diagnostic" => new EngineMessage { Kind = EngineMessageKind.Diagnostic, IsError = true, Code = "CB2001", Message = "bad", File = "/f", Line = 3, Column = 4 },
            "progress" => new EngineMessage { Kind = EngineMessageKind.Progress, Model = "m", Message = "p", Stage = EngineProgressStage.Started, Trials = 8 },
            "summary" => new EngineMessage { Kind = EngineMessageKind.Summary, Model = "m", Source = "/s", Output = "/o", Passed = true, Message = "t", Reports = ["/r"] },
            _ => new EngineMessage { Kind = EngineMessageKind.Result, ExitCode = 4 },
        };
        var line = EngineMessageFormat.Write(sent);
        var future = """{"future":{"nested":[1,-2.5e3,true,null,{"x":"\u00e9"}]},"severityLevel":3,"""
            + line.TrimStart('{').TrimEnd('}') + ""","zzz":[],"line2":"x"}""";

        var read = EngineMessageFormat.Parse(future);

        Assert.Equal(Fields(sent), Fields(read));
    }

    [Fact]
    public void Nesting_deeper_than_a_message_needs_is_text_not_a_stack_overflow()
    {
        var line = "{\"kind\":\"result\",\"x\":" + new string('[', 100_000) + new string(']', 100_000) + "}";

        Assert.Equal(EngineMessageKind.Text, EngineMessageFormat.Parse(line).Kind);
    }

    [Fact]
    public void A_fractional_or_negative_number_is_not_taken_for_a_line()
    {
        var m = EngineMessageFormat.Parse("""{"kind":"diagnostic","severity":"error","code":"CB2001","message":"x","line":2.5,"column":-3}""");

        Assert.Equal(0, m.Line);
        Assert.Equal(0, m.Column);
    }

    /// <summary>Every field but the raw line, nulls kept apart from empty strings.</summary>
    private static object?[] Fields(EngineMessage m) =>
    [
        m.Kind, m.IsError, m.Code, m.Message, m.File, m.Line, m.Column, m.Model, m.Source, m.Output, m.Passed, string.Join("\0", m.Reports), m.Reports.Count,
        m.ExitCode, m.Trial, m.Trials, m.Stage,
    ];
}
