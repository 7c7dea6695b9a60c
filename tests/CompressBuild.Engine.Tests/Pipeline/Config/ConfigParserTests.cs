using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline.Config;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Config;

public class ConfigParserTests
{
    [Fact]
    public void Nodes_remember_their_one_based_line_and_column()
    {
        var root = Assert.IsType<ConfigMapping>(ConfigParser.Parse("version: 1\nmodels:\n  - path: 'a b.onnx'\n", "c.yaml"));

        var version = Assert.IsType<ConfigScalar>(root["version"]);
        Assert.Equal((1, 10), (version.Line, version.Column));
        Assert.False(version.Quoted);
        var model = Assert.IsType<ConfigMapping>(Assert.IsType<ConfigSequence>(root["models"]).Items[0]);
        var path = Assert.IsType<ConfigScalar>(model["path"]);
        Assert.Equal((3, 11), (path.Line, path.Column));
        Assert.True(path.Quoted);
        Assert.Equal("a b.onnx", path.Value);
    }

    [Fact]
    public void An_alias_bomb_is_refused_at_its_first_anchor_without_expansion()
    {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n";

        var error = Assert.Throws<CompressBuildException>(() => ConfigParser.Parse(bomb, "c.yaml"));

        Assert.Equal(DiagnosticCodes.ConfigRefused, error.Code);
        Assert.Equal(1, error.Line);
        Assert.Contains("anchors", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alias_alone_is_refused()
    {
        var error = Assert.Throws<CompressBuildException>(() => ConfigParser.Parse("a: 1\nb: *x\n", "c.yaml"));

        Assert.Equal(DiagnosticCodes.ConfigRefused, error.Code);
        Assert.Equal((2, 4), (error.Line, error.Column));
        Assert.Contains("aliases (*x)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Huge_and_deeply_nested_files_are_refused()
    {
        var huge = Assert.Throws<CompressBuildException>(() => ConfigParser.Parse("a: " + new string('x', (int)ConfigParser.MaxFileBytes), "c.yaml"));
        var deep = Assert.Throws<CompressBuildException>(() => ConfigParser.Parse(new string('[', 40) + new string(']', 40), "c.yaml"));

        Assert.Equal(DiagnosticCodes.ConfigRefused, huge.Code);
        Assert.Equal(DiagnosticCodes.ConfigRefused, deep.Code);
        Assert.Contains("nested", deep.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_key_is_an_error_at_the_second_one()
    {
        var error = Assert.Throws<CompressBuildException>(() => ConfigParser.Parse("version: 1\nmodels: []\nversion: 1\n", "c.yaml"));

        Assert.Equal(DiagnosticCodes.ConfigUnknownKey, error.Code);
        Assert.Equal((3, 1), (error.Line, error.Column));
    }

    [Fact]
    public void A_syntax_error_has_a_position_and_no_duplicated_position_in_the_message()
    {
        var error = Assert.Throws<CompressBuildException>(() => ConfigParser.Parse("models:\n  - path: a\n    passes: [unclosed\n", "c.yaml"));

        Assert.Equal(DiagnosticCodes.ConfigSyntax, error.Code);
        Assert.NotNull(error.Line);
        Assert.DoesNotContain("(Line:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_documents_and_an_empty_file_are_refused()
    {
        Assert.Equal(DiagnosticCodes.ConfigRefused, Assert.Throws<CompressBuildException>(() => ConfigParser.Parse("a: 1\n---\nb: 2\n", "c.yaml")).Code);
        Assert.Equal(DiagnosticCodes.ConfigInvalidValue, Assert.Throws<CompressBuildException>(() => ConfigParser.Parse("", "c.yaml")).Code);
    }
}
