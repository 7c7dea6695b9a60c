using CompressBuild.Engine.Diagnostics;
using Xunit;

namespace CompressBuild.Engine.Tests.Diagnostics;

public sealed class SourceOriginTests
{
    [Theory]
    [InlineData("App.csproj(1,2)", "App.csproj", 1, 2)]
    [InlineData("App.csproj(3)", "App.csproj", 3, null)]
    [InlineData("App.csproj", "App.csproj", null, null)]
    [InlineData("/home/me/My Projects/App.csproj(12, 5)", "/home/me/My Projects/App.csproj", 12, 5)]
    [InlineData(@"C:\Users\me (work)\src (v2)\App.csproj(7,9)", @"C:\Users\me (work)\src (v2)\App.csproj", 7, 9)]
    [InlineData(@"C:\Users\me (work)\App.csproj", @"C:\Users\me (work)\App.csproj", null, null)]
    [InlineData("/src/App (1).csproj", "/src/App (1).csproj", null, null)]
    [InlineData("/src/App (1).csproj(4,2)", "/src/App (1).csproj", 4, 2)]
    [InlineData("/src/App.csproj(x,2)", "/src/App.csproj(x,2)", null, null)]
    [InlineData("/src/App.csproj(1,2,3)", "/src/App.csproj(1,2,3)", null, null)]
    [InlineData("/src/App.csproj(0,2)", "/src/App.csproj(0,2)", null, null)]
    [InlineData("  Prüfung.csproj(2,1)  ", "Prüfung.csproj", 2, 1)]
    public void Parses_only_a_last_suffix_of_one_or_two_positive_numbers(string text, string file, int? line, int? column)
    {
        var origin = SourceOrigin.Parse(text);

        Assert.Equal(new SourceOrigin(file, line, column), origin);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_origin_is_an_argument_error(string text)
    {
        var e = Assert.Throws<CompressBuildException>(() => SourceOrigin.Parse(text));

        Assert.Equal(DiagnosticCodes.ArgumentInvalid, e.Code);
    }

    [Fact]
    public void A_suffix_alone_is_a_file_name_not_a_position()
    {
        Assert.Equal(new SourceOrigin("(12,3)", null, null), SourceOrigin.Parse("(12,3)"));
    }
}
