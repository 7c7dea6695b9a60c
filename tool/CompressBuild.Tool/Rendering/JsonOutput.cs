using System.Text.Json;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Reporting;

namespace CompressBuild.Tool.Rendering;

/// <summary>Writes a <c>--json</c> result to stdout in the engine's one JSON shape.</summary>
internal static class JsonOutput
{
    public static void Write<T>(TextWriter writer, T value) => writer.WriteLine(JsonSerializer.Serialize(value, JsonFormat.Indented));
}
