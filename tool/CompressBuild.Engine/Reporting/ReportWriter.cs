using CompressBuild.Engine.IO;
using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;

namespace CompressBuild.Engine.Reporting;

/// <summary>
/// Writes every report of one verification into a folder: &lt;model&gt;.verify.json (with its schema beside it),
/// .md, .html and .junit.xml. Each file is written atomically; several models can share one folder.
/// </summary>
public static class ReportWriter
{
    public static IReadOnlyList<string> WriteAll(VerificationResult result, string directory)
    {
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, SafeName(result.ModelName) + ".verify");
        var files = new List<(string Path, string Text)>
        {
            (stem + ".json", JsonReport.Serialize(result) + "\n"),
            (Path.Combine(directory, JsonReport.SchemaFileName), JsonReport.Schema),
            (stem + ".md", MarkdownSummary.Render(result)),
            (stem + ".html", HtmlReport.Render(result)),
            (stem + ".junit.xml", JunitReport.Render(result)),
        };
        foreach (var (path, text) in files)
        {
            TextFile.Write(path, text);
        }

        return files.Select(f => f.Path).ToList();
    }

    private static string SafeName(string name)
    {
        // The same file names on every OS: anything but letters, digits, '.', '-' and '_' becomes '_'.
        var safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray());
        return safe.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? safe[..^5] : safe;
    }
}
