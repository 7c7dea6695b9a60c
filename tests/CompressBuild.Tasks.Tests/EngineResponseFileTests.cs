extern alias tool;

using System.CommandLine;
using CompressBuild.Testing;
using tool::CompressBuild.Tool;
using tool::CompressBuild.Tool.Commands;
using Xunit;

namespace CompressBuild.Tasks.Tests;

public class EngineResponseFileTests
{
    [Fact]
    public void Tokens_with_spaces_non_ascii_letters_and_hashes_survive_System_CommandLine()
    {
        using var folder = new TempFolder("rsp Ünïcode test");
        string[] tokens =
        [
            folder.File("my config.yaml"),
            "--model-file", folder.File("Modèles/mlp ü.onnx"),
            "--origin", folder.File("app.csproj") + "(7,5)",
            "--report-dir", "#not a comment",
            "--cache-dir", folder.File("cache dir"),
            "--misses-as-warnings",
        ];
        var rsp = folder.File("run.rsp");
        File.WriteAllText(rsp, EngineResponseFile.Format(tokens));

        // Parsed by the tool's own command tree, as the task runs it: `run @file.rsp --message-format json-lines`.
        var cli = CompressCli.Build(new CliContext(TextWriter.Null, TextWriter.Null));

        var parse = cli.Parse(["run", "@" + rsp, "--message-format", RunBuildArguments.JsonLinesFormat]);

        Assert.True(parse.Errors.Count == 0, string.Join(" | ", parse.Errors.Select(e => e.Message)));
        Assert.Equal("run", parse.CommandResult.Command.Name);
        Assert.Equal(tokens[0], parse.GetValue<string>("config"));
        Assert.Equal(tokens[2], parse.GetValue<string?>("--model-file"));
        Assert.Equal(tokens[4], parse.GetValue<string?>("--origin"));
        Assert.Equal("#not a comment", parse.GetValue<string?>("--report-dir"));
        Assert.Equal(folder.File("cache dir"), parse.GetValue<string?>("--cache-dir"));
        Assert.True(parse.GetValue<bool>("--misses-as-warnings"));
        Assert.Equal(RunBuildArguments.JsonLinesFormat, parse.GetValue<string>("--message-format"));
    }

    [Fact]
    public void A_plain_token_is_written_as_is_and_a_quote_or_a_leading_at_sign_is_refused()
    {
        Assert.Equal("--output", EngineResponseFile.Quote("--output"));
        Assert.Equal("\"\"", EngineResponseFile.Quote(""));
        Assert.Throws<ArgumentException>(() => EngineResponseFile.Quote("a\"b"));
        Assert.Throws<ArgumentException>(() => EngineResponseFile.Quote("@other.rsp"));
    }
}
