using System.Text.Encodings.Web;
using System.Text.Json;

namespace CompressBuild.Engine.Reporting;

/// <summary>
/// The one JSON shape CompressBuild writes: camelCase, non-ASCII kept readable. Every <c>--json</c> output, report
/// and benchmark record uses these options, so tools that read one read them all.
/// </summary>
public static class JsonFormat
{
    public static JsonSerializerOptions Indented { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One record per line, for machine-to-machine lines (JSON-line diagnostics, child processes).</summary>
    public static JsonSerializerOptions Compact { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
