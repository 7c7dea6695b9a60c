using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CompressBuild.Engine.IO;

/// <summary>
/// The one JSON shape CompressBuild writes: camelCase, non-ASCII kept readable. Every <c>--json</c> output, report
/// and benchmark record uses these options, so tools that read one read them all. A metric that is NaN or
/// infinite (a candidate whose outputs are NaN) is written as the string "NaN", "Infinity" or "-Infinity":
/// JSON has no such numbers, and refusing to write the report would hide exactly the result that matters.
/// </summary>
public static class JsonFormat
{
    public static JsonSerializerOptions Indented { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>One record per line, for machine-to-machine lines (JSON-line diagnostics, child processes).</summary>
    public static JsonSerializerOptions Compact { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
