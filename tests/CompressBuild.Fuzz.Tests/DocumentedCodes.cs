using System.Text.RegularExpressions;
using CompressBuild.Testing;

namespace CompressBuild.Fuzz.Tests;

/// <summary>The diagnostic codes the README's code table documents: a case may only end in one of them.</summary>
internal static partial class DocumentedCodes
{
    private static readonly Lazy<HashSet<string>> Codes = new(() =>
        File.ReadLines(Path.Combine(RepositoryPaths.Root, "README.md"))
            .Select(l => TableRow().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal));

    public static bool Contains(string code) => Codes.Value.Contains(code);

    [GeneratedRegex(@"^\| (CB\d{4}) \|")]
    private static partial Regex TableRow();
}
