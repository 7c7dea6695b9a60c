using System.CommandLine;
using CompressBuild.Testing;
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

        var config = new Argument<string>("config");
        var model = new Option<string>("--model-file");
        var origin = new Option<string>("--origin");
        var reports = new Option<string>("--report-dir");
        var cache = new Option<string>("--cache-dir");
        var misses = new Option<bool>("--misses-as-warnings");
        var root = new RootCommand { config, model, origin, reports, cache, misses };

        var parse = root.Parse(["@" + rsp]);

        Assert.True(parse.Errors.Count == 0, string.Join(" | ", parse.Errors.Select(e => e.Message)));
        Assert.Equal(tokens[0], parse.GetValue(config));
        Assert.Equal(tokens[2], parse.GetValue(model));
        Assert.Equal(tokens[4], parse.GetValue(origin));
        Assert.Equal("#not a comment", parse.GetValue(reports));
        Assert.Equal(folder.File("cache dir"), parse.GetValue(cache));
        Assert.True(parse.GetValue(misses));
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
