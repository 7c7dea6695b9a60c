using System.CommandLine;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Pipeline.Search;

namespace CompressBuild.Tool.Commands;

/// <summary>
/// A pass's command-line options, derived from its compress.yaml schema section so that each setting is described
/// once: <c>exclude_nodes</c> is <c>--exclude-nodes</c>, <c>calibration.data</c> is <c>--calibration-data</c>, with the
/// key's description and choices. The values given are checked by the same validator as compress.yaml (same
/// messages, same codes) and bound by the same binding, so a setting means the same on both surfaces.
/// </summary>
internal sealed class PassOptionSet
{
    private readonly IPass pass;
    private readonly IReadOnlyDictionary<string, string> defaults;
    private readonly List<(string Key, ConfigKey Schema, Option Option, bool Inverted)> options = [];

    /// <param name="names">Option names that are not the key's own (<c>calibration.percentile</c> is <c>--percentile</c>).</param>
    /// <param name="inverted">Boolean keys offered as a negative flag (<c>preprocess</c> as <c>--no-preprocess</c>).</param>
    /// <param name="skip">Keys the command does not offer.</param>
    /// <param name="defaults">Values the command assumes when an option is not given (the CLI's own defaults, e.g. a mode).</param>
    public PassOptionSet(IPass pass, IReadOnlyDictionary<string, string>? names = null, IReadOnlyDictionary<string, string>? inverted = null,
        IReadOnlySet<string>? skip = null, IReadOnlyDictionary<string, string>? defaults = null)
    {
        this.pass = pass;
        this.defaults = defaults ?? new Dictionary<string, string>();
        foreach (var (key, schema) in Keys(pass.Schema, ""))
        {
            if (skip?.Contains(key) == true)
            {
                continue;
            }

            if (inverted?.TryGetValue(key, out var negative) == true)
            {
                options.Add((key, schema, new Option<bool>(negative) { Description = $"Turn off: {schema.Description}" }, true));
                continue;
            }

            var name = names?.TryGetValue(key, out var given) == true ? given : OptionName(key);
            options.Add((key, schema, Create(name, schema, this.defaults.GetValueOrDefault(key)), false));
        }
    }

    public IEnumerable<Option> Options => options.Select(o => o.Option);

    /// <summary>The CLI name of a key: snake_case and dots become dashes (<c>calibration.data</c> -> <c>--calibration-data</c>).</summary>
    public static string OptionName(string key) => "--" + key.Replace('_', '-').Replace('.', '-');

    /// <summary>The option for a key, for commands that read one directly.</summary>
    public Option For(string key) => options.First(o => o.Key == key).Option;

    /// <summary>
    /// The pass the given options describe: their values as compress.yaml scalars, validated against the pass's
    /// schema (relative paths from the current folder), then flattened as a compress.yaml pass is.
    /// </summary>
    public PassPlan Plan(ParseResult parse)
    {
        var given = new List<(string Key, Option Option, ConfigNode Value)>();
        foreach (var (key, schema, option, inverted) in options)
        {
            var line = given.Count + 1;
            if (Value(parse, schema, option, inverted, line) is { } node)
            {
                given.Add((key, option, node));
            }
            else if (defaults.TryGetValue(key, out var fallback))
            {
                given.Add((key, option, new ConfigScalar("", line, 1, fallback, quoted: true)));
            }
        }

        try
        {
            var settings = ConfigValidator.Validate(Mapping(given.Select(g => (g.Key, g.Value)), 0), pass.Schema, Directory.GetCurrentDirectory());
            return PlanFactory.FromSettings(pass, settings);
        }
        catch (CompressBuildException e) when (e.File == "")
        {
            // The validator points at a line; here a line is an option (numbered in the order they were read).
            var option = e.Line is int l && l >= 1 && l <= given.Count ? given[l - 1].Option.Name + ": " : "";
            throw new CompressBuildException(e.Code, option + e.Message, inner: e);
        }
    }

    private static Option Create(string name, ConfigKey key, string? fallback)
    {
        var description = key.Description + (key.Choices.Count > 0 && key.Kind != ConfigValueKind.WholeNumber ? $" One of: {string.Join(" | ", key.Choices)}." : "")
            + (fallback is null ? "" : $" Default: {fallback}.");
        return key.Kind switch
        {
            ConfigValueKind.Boolean => new Option<bool?>(name) { Description = description },
            ConfigValueKind.StringList => new Option<string[]>(name)
            {
                Description = description + " Repeatable, or comma-separated.",
                Arity = ArgumentArity.ZeroOrMore,
                AllowMultipleArgumentsPerToken = true,
            },
            _ => new Option<string?>(name) { Description = description },
        };
    }

    /// <summary>An option's value as the compress.yaml node it stands for; null when the option was not given.</summary>
    private static ConfigNode? Value(ParseResult parse, ConfigKey key, Option option, bool inverted, int line)
    {
        switch (option)
        {
            case Option<bool> flag:
                return inverted && parse.GetValue(flag) ? new ConfigScalar("", line, 1, "false", quoted: false) : null;
            case Option<bool?> flag:
                return parse.GetValue(flag) is { } b ? new ConfigScalar("", line, 1, b ? "true" : "false", quoted: false) : null;
            case Option<string[]> list:
                var items = (parse.GetValue(list) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
                return items.Count == 0 ? null : new ConfigSequence("", line, 1, [.. items.Select(i => (ConfigNode)new ConfigScalar("", line, 1, i, quoted: true))]);
            case Option<string?> text:
                // Numbers are plain scalars, so the validator parses them as it parses compress.yaml's.
                return parse.GetValue(text) is { } value
                    ? new ConfigScalar("", line, 1, value, quoted: key.Kind is not (ConfigValueKind.Number or ConfigValueKind.WholeNumber or ConfigValueKind.Duration))
                    : null;
            default:
                throw new InvalidOperationException(option.GetType().Name);
        }
    }

    /// <summary>Dotted keys back into nested mappings (calibration.data -> calibration: { data }).</summary>
    private static ConfigMapping Mapping(IEnumerable<(string Key, ConfigNode Value)> entries, int line)
    {
        var result = new List<KeyValuePair<ConfigScalar, ConfigNode>>();
        foreach (var group in entries.GroupBy(e => e.Key.Split('.', 2)[0]))
        {
            var nested = group.Where(e => e.Key.Contains('.', StringComparison.Ordinal)).Select(e => (e.Key.Split('.', 2)[1], e.Value)).ToList();
            var first = group.First().Value;
            var node = nested.Count > 0 ? Mapping(nested, first.Line) : first;
            result.Add(new(new ConfigScalar("", first.Line, 1, group.Key, quoted: false), node));
        }

        return new ConfigMapping("", line, 1, result);
    }

    /// <summary>Every settable key of a section, nested sections' keys dotted.</summary>
    private static IEnumerable<(string Key, ConfigKey Schema)> Keys(ConfigSection section, string prefix)
    {
        foreach (var key in section.Keys)
        {
            if (key.Kind == ConfigValueKind.Section)
            {
                foreach (var nested in Keys(key.Section!, prefix + key.Name + "."))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return (prefix + key.Name, key);
            }
        }
    }
}
