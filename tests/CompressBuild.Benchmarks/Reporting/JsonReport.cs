using System.Text.Encodings.Web;
using System.Text.Json;

namespace CompressBuild.Benchmarks.Reporting;

/// <summary>The JSON shapes of the benchmark: camelCase like the tool's <c>--json</c>; compact for the child's one line.</summary>
internal static class JsonReport
{
    public static JsonSerializerOptions Indented { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonSerializerOptions Compact { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
