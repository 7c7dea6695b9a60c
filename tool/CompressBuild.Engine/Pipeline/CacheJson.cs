using System.Text.Json;
using System.Text.Json.Serialization;

namespace CompressBuild.Engine.Pipeline;

/// <summary>How trial records are stored in the cache: every field, infinities included (an identical output's SQNR).</summary>
internal static class CacheJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };
}
