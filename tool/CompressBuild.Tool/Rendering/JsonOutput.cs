using System.Text.Encodings.Web;
using System.Text.Json;

namespace CompressBuild.Tool.Rendering;

/// <summary>The one JSON shape every <c>--json</c> output uses: camelCase, indented, non-ASCII kept readable.</summary>
internal static class JsonOutput
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write<T>(TextWriter writer, T value) => writer.WriteLine(JsonSerializer.Serialize(value, Options));
}
