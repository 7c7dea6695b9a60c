using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace CompressBuild.Tool.Rendering;

/// <summary>
/// <c>run --message-format json-lines</c>: the protocol the MSBuild task reads. Every line on stdout is one JSON
/// object (<c>kind</c>: diagnostic, progress, summary, result); the result line is always the last one.
/// </summary>
internal sealed class JsonLinesWriter(TextWriter output)
{
    /// <summary>
    /// Non-ASCII is escaped (\uXXXX): the line then reads the same whatever code page the parent process decodes
    /// the pipe with (Windows consoles are not UTF-8 by default), and the JSON parser restores the text exactly.
    /// </summary>
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.Default, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly Lock gate = new();

    public void Diagnostic(DiagnosticLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var json = new JsonObject
        {
            ["kind"] = "diagnostic",
            ["severity"] = line.Severity,
            ["code"] = line.Code,
            ["message"] = line.Message,
        };
        if (line.File is not null)
        {
            // Absolute: MSBuild resolves a relative file against the project, not against this process's folder.
            json["file"] = Path.GetFullPath(line.File);
        }

        if (line.Line is not null)
        {
            json["line"] = line.Line;
        }

        if (line.Column is not null)
        {
            json["column"] = line.Column;
        }

        Write(json);
    }

    /// <summary>
    /// One progress line; <paramref name="stage"/> (started, step, trial, finished), <paramref name="trial"/> and
    /// <paramref name="trials"/> (the search's trial limit, on "started") let the build log say "trial n of m".
    /// </summary>
    public void Progress(string model, string message, string? stage = null, int? trial = null, int? trials = null)
    {
        var json = new JsonObject { ["kind"] = "progress", ["model"] = model, ["message"] = message };
        if (stage is not null)
        {
            json["stage"] = stage;
        }

        if (trial is not null)
        {
            json["trial"] = trial;
        }

        if (trials is not null)
        {
            json["trials"] = trials;
        }

        Write(json);
    }

    public void Summary(string model, string source, string? outputPath, bool passed, string text, IEnumerable<string> reports) => Write(new JsonObject
    {
        ["kind"] = "summary",
        ["model"] = model,
        ["source"] = source,
        ["output"] = outputPath,
        ["passed"] = passed,
        ["text"] = text,
        ["reports"] = new JsonArray([.. reports.Select(r => (JsonNode)r)]),
    });

    public void Result(int exitCode) => Write(new JsonObject { ["kind"] = "result", ["exitCode"] = exitCode });

    private void Write(JsonObject json)
    {
        var text = json.ToJsonString(Options);
        lock (gate)
        {
            output.WriteLine(text);
            output.Flush();
        }
    }
}
