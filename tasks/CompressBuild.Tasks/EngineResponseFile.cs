using System.Text;

namespace CompressBuild.Tasks;

/// <summary>
/// The response file of one <c>dotnet compress run</c>: one token per line, in double quotes when it holds
/// white space, starts with <c>#</c> or <c>@</c> or is empty, which is what System.CommandLine's response file
/// reader splits and unquotes (it has no escape for a double quote inside a token, so such a token is refused).
/// </summary>
internal static class EngineResponseFile
{
    public static string Format(IEnumerable<string> tokens)
    {
        var builder = new StringBuilder();
        foreach (var token in tokens)
        {
            builder.Append(Quote(token)).Append('\n');
        }

        return builder.ToString();
    }

    public static string Quote(string token)
    {
        if (token.IndexOf('"') >= 0 || token.IndexOf('\n') >= 0 || token.IndexOf('\r') >= 0)
        {
            throw new ArgumentException($"A response file token cannot hold a double quote or a line break: {token}", nameof(token));
        }

        var needsQuotes = token.Length == 0 || token[0] == '#' || token[0] == '@' || token.Any(char.IsWhiteSpace);
        return needsQuotes ? "\"" + token + "\"" : token;
    }
}
