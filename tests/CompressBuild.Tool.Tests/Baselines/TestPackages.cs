using System.IO.Compression;
using System.Text.Json;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Reporting;

namespace CompressBuild.Tool.Tests.Baselines;

/// <summary>Real .nupkg files (a zip with a minimal .nuspec) in a local folder feed, as `dotnet pack` lays them out.</summary>
internal static class TestPackages
{
    /// <param name="files">Package-relative path to content, e.g. <c>compressbuild/baselines/mlp.json</c>.</param>
    public static string Write(string feed, string id, string version, IReadOnlyDictionary<string, string> files)
    {
        Directory.CreateDirectory(feed);
        var path = Path.Combine(feed, $"{id}.{version}.nupkg".ToLowerInvariant());
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Add(zip, $"{id}.nuspec", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
              <metadata>
                <id>{id}</id>
                <version>{version}</version>
                <authors>tests</authors>
                <description>A package with compressed models and their baselines.</description>
              </metadata>
            </package>
            """);
        foreach (var (name, content) in files)
        {
            Add(zip, name, content);
        }

        return path;
    }

    public static string Baseline(BaselineDocument document) => JsonSerializer.Serialize(document, JsonFormat.Indented);

    private static void Add(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open());
        writer.Write(content);
    }
}
