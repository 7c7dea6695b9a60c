using System.Text.RegularExpressions;

namespace CompressBuild.Tasks;

/// <summary>
/// Rewords an engine message for a build: the engine speaks to command-line users (<c>pass --labels &lt;file&gt;</c>)
/// and to compress.yaml authors (<c>min_cosine</c>); in a build the user wrote either a compress.yaml (then the
/// message names its keys) or OnnxModel metadata (then it names the metadata, <c>MinCosine</c>). Names come from
/// <see cref="InlineMetadataTable"/>, so they follow the schema.
/// </summary>
internal static class EngineMessageWording
{
    private static readonly Regex Flag = new(@"(?<![\w-])--(?<name>[a-z][a-z0-9]*(?:-[a-z0-9]+)*)", RegexOptions.CultureInvariant);

    private static readonly Regex PassFlag = new(@"\b(?<verb>[Pp])ass (?=--[a-z])", RegexOptions.CultureInvariant);

    /// <summary>A nested key as the engine names it, <c>calibration.data</c>.</summary>
    private static readonly Regex DottedKey = new(@"(?<![\w.-])(?<section>[a-z]+)\.(?<key>[a-z][a-z0-9]*(?:_[a-z0-9]+)*)(?![\w-])", RegexOptions.CultureInvariant);

    private static readonly Regex SnakeKey = new(@"(?<![\w.-])(?<key>[a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![\w-])", RegexOptions.CultureInvariant);

    /// <summary>Command-line options whose name is not the compress.yaml key in kebab case, and what they are in a build.</summary>
    private static readonly Dictionary<string, (string Metadata, string Yaml)> Renamed = new(StringComparer.Ordinal)
    {
        ["calibration-data"] = ("CalibrationData", "calibration: data"),
        ["labels"] = ("Labels", "evaluation: labels"),
        ["data"] = ("EvaluationData", "evaluation: data"),
        ["mode"] = ("Quantize", "quantize: mode"),
        ["threads"] = ("CompressBuildThreads", "CompressBuildThreads"),
        ["max-time"] = ("CompressBuildMaxTime", "CompressBuildMaxTime"),
        ["warmup"] = ("CompressBuildWarmup", "CompressBuildWarmup"),
        ["ci-width"] = ("CompressBuildCiWidth", "CompressBuildCiWidth"),
        ["misses-as-warnings"] = ("CompressBuildFailOnRegression=false", "CompressBuildFailOnRegression=false"),
    };

    /// <summary><paramref name="message"/> with flags (and, for a generated config, compress.yaml keys) named as the user wrote them.</summary>
    public static string For(string message, bool generatedConfig)
    {
        var text = PassFlag.Replace(message, m => m.Groups["verb"].Value == "P" ? "Set " : "set ");
        text = Flag.Replace(text, m => FlagName(m.Groups["name"].Value, generatedConfig) ?? m.Value);
        if (generatedConfig)
        {
            text = DottedKey.Replace(text, m => InlineMetadataTable.All.FirstOrDefault(e => e.Section == m.Groups["section"].Value && e.Key == m.Groups["key"].Value)?.Name ?? m.Value);
            text = SnakeKey.Replace(text, m => MetadataOf(m.Groups["key"].Value) ?? m.Value);
        }

        return text;
    }

    private static string? FlagName(string flag, bool generatedConfig)
    {
        if (Renamed.TryGetValue(flag, out var renamed))
        {
            return generatedConfig ? renamed.Metadata : renamed.Yaml;
        }

        var key = flag.Replace('-', '_');
        return generatedConfig ? MetadataOf(key) : InlineMetadataTable.All.Any(m => m.Key == key) ? key : null;
    }

    /// <summary>The metadata of a compress.yaml key when exactly one has that key (exclude_nodes is in two passes).</summary>
    private static string? MetadataOf(string key)
    {
        var matches = InlineMetadataTable.All.Where(m => m.Key == key).Take(2).ToList();
        return matches.Count == 1 ? matches[0].Name : null;
    }
}
