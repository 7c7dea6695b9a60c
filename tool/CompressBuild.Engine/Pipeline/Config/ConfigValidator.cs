using System.Globalization;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>
/// Checks parsed compress.yaml nodes against a <see cref="ConfigSection"/> and turns them into typed
/// <see cref="ConfigValues"/>. The first problem is an error at its file(line,col): unknown keys (with a
/// suggestion), wrong types, values out of range, missing required keys, missing files.
/// </summary>
public static class ConfigValidator
{
    public static ConfigValues Validate(ConfigNode node, ConfigSection section, string baseDirectory)
    {
        if (node is ConfigScalar scalar && section.Shorthand is { } shorthand && !scalar.IsNull)
        {
            var key = section.Find(shorthand)!;
            return new ConfigValues(section, node, new Dictionary<string, object>(StringComparer.Ordinal) { [key.Name] = Value(scalar, key, baseDirectory) });
        }

        if (node is not ConfigMapping mapping)
        {
            throw WrongType(node, section.Shorthand is null ? $"'{section.Name}' must be a mapping" : $"'{section.Name}' must be a mapping or a single value");
        }

        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Entries)
        {
            var key = section.Find(keyNode.Value) ?? throw new CompressBuildException(DiagnosticCodes.ConfigUnknownKey,
                $"unknown key '{keyNode.Value}' in {section.Name}{Suggestions.DidYouMean(keyNode.Value, section.Keys.Select(k => k.Name))}.",
                keyNode.File, keyNode.Line, keyNode.Column);
            if (valueNode is ConfigScalar { IsNull: true } && !key.Required)
            {
                continue;
            }

            values[key.Name] = Value(valueNode, key, baseDirectory);
        }

        foreach (var key in section.Keys.Where(k => k.Required && !values.ContainsKey(k.Name)))
        {
            throw new CompressBuildException(DiagnosticCodes.ConfigMissingKey, $"{section.Name} needs '{key.Name}': {key.Description}", mapping.File, mapping.Line, mapping.Column);
        }

        return new ConfigValues(section, node, values);
    }

    private static object Value(ConfigNode node, ConfigKey key, string baseDirectory) => key.Kind switch
    {
        ConfigValueKind.Text => Text(node, key),
        ConfigValueKind.Path => PathValue(node, key, baseDirectory),
        ConfigValueKind.Number when key.Budget is { } budget => BudgetValue(node, key, budget),
        ConfigValueKind.Number => InRange(node, key, NumberValue(node, key)),
        ConfigValueKind.WholeNumber when node is ConfigScalar { IsNull: false } word && key.Keywords.Contains(word.Value) => word.Value,
        ConfigValueKind.WholeNumber => IntegerValue(node, key),
        ConfigValueKind.Boolean => BooleanValue(node, key),
        ConfigValueKind.Choice => ChoiceValue(node, key),
        ConfigValueKind.StringList => ListValue(node, key),
        ConfigValueKind.Duration => DurationValue(node, key),
        ConfigValueKind.Section => Validate(node, key.Section!, baseDirectory),
        ConfigValueKind.SectionList => Sequence(node, key).Items.Select(i => Validate(i, key.Section!, baseDirectory)).ToList(),
        ConfigValueKind.PassList => Sequence(node, key).Items.Select(i => Pass(i, key, baseDirectory)).ToList(),
        _ => throw new InvalidOperationException(key.Kind.ToString()),
    };

    private static List<string> ListValue(ConfigNode node, ConfigKey key)
    {
        var items = node is ConfigSequence list ? list.Items : [node];
        foreach (var item in items)
        {
            var text = Text(item, key);
            if (key.Choices.Count > 0 && !key.Choices.Contains(text))
            {
                throw Invalid(item, $"'{key.Name}' entries must be {string.Join(" or ", key.Choices)}; got '{text}'{Suggestions.DidYouMean(text, key.Choices)}");
            }
        }

        return items.Select(i => ((ConfigScalar)i).Value).ToList();
    }

    private static ConfiguredPass Pass(ConfigNode node, ConfigKey key, string baseDirectory)
    {
        var names = key.Passes.Select(p => p.Name).ToList();
        if (node is not ConfigMapping { Entries.Count: 1 } mapping)
        {
            throw WrongType(node, $"each entry of '{key.Name}' must be a one-key mapping naming the pass ({string.Join(" or ", names)}), e.g. '- quantize: {{ mode: int8-static }}'");
        }

        var (name, settings) = mapping.Entries[0];
        var pass = key.Passes.FirstOrDefault(p => p.Name == name.Value) ?? throw new CompressBuildException(DiagnosticCodes.ConfigUnknownKey,
            $"unknown pass '{name.Value}'{Suggestions.DidYouMean(name.Value, names)}; passes are {string.Join(", ", names)}.", name.File, name.Line, name.Column);
        return new ConfiguredPass(Passes.PassRegistry.For(pass), Validate(settings, pass, baseDirectory));
    }

    private static ConfigSequence Sequence(ConfigNode node, ConfigKey key) =>
        node as ConfigSequence ?? throw WrongType(node, $"'{key.Name}' must be a list (lines starting with '- ')");

    private static string Text(ConfigNode node, ConfigKey key) =>
        node is ConfigScalar { IsNull: false } scalar ? scalar.Value : throw WrongType(node, $"'{key.Name}' must be text");

    private static string PathValue(ConfigNode node, ConfigKey key, string baseDirectory)
    {
        var text = Text(node, key);
        if (text.Length == 0 || text.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid(node, $"'{key.Name}' must be a file path; got an empty text or one with a NUL character");
        }

        var full = Path.GetFullPath(Path.Combine(baseDirectory, text));
        if (key.MustExist && !File.Exists(full) && !Directory.Exists(full))
        {
            throw new CompressBuildException(DiagnosticCodes.ConfigFileNotFound, $"'{key.Name}': '{text}' does not exist (looked for {full}).", node.File, node.Line, node.Column);
        }

        return full;
    }

    private static double NumberValue(ConfigNode node, ConfigKey key)
    {
        if (node is ConfigScalar { Quoted: false, IsNull: false } scalar &&
            double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        throw WrongType(node, $"'{key.Name}' must be a number");
    }

    /// <summary>A budget reads as on every other surface: the budget's own parser, with its range and codes.</summary>
    private static double BudgetValue(ConfigNode node, ConfigKey key, BudgetDescriptor budget) =>
        node is ConfigScalar { Quoted: false, IsNull: false } scalar
            ? budget.Parse(scalar.Value, node.File, node.Line, node.Column)
            : throw WrongType(node, $"'{key.Name}' must be a number, e.g. {budget.Example}");

    private static long IntegerValue(ConfigNode node, ConfigKey key)
    {
        if (node is not ConfigScalar { Quoted: false } scalar || !long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw WrongType(node, $"'{key.Name}' must be a whole number{string.Concat(key.Keywords.Select(k => $" or {k}"))}");
        }

        if (key.Choices.Count > 0 && !key.Choices.Contains(scalar.Value))
        {
            throw Invalid(node, $"'{key.Name}' must be one of {string.Join(", ", key.Choices)}; got {scalar.Value}");
        }

        // Every whole-number setting is a count that ends up in an int; beyond that is a typo or an attack.
        if (value is > int.MaxValue or < int.MinValue)
        {
            throw Invalid(node, $"'{key.Name}' must be at most {int.MaxValue}; got {scalar.Value}");
        }

        InRange(node, key, value);
        return value;
    }

    private static bool BooleanValue(ConfigNode node, ConfigKey key) => node switch
    {
        ConfigScalar { Quoted: false, Value: "true" or "True" or "TRUE" } => true,
        ConfigScalar { Quoted: false, Value: "false" or "False" or "FALSE" } => false,
        _ => throw WrongType(node, $"'{key.Name}' must be true or false"),
    };

    private static string ChoiceValue(ConfigNode node, ConfigKey key)
    {
        var text = Text(node, key);
        return key.Choices.Contains(text) ? text : throw Invalid(node,
            $"'{key.Name}' must be one of {string.Join(", ", key.Choices)}; got '{text}'{Suggestions.DidYouMean(text, key.Choices)}");
    }

    private const double MinDurationSeconds = 0.001;

    private const double MaxDurationSeconds = 30 * 24 * 3600;

    private static TimeSpan DurationValue(ConfigNode node, ConfigKey key)
    {
        if (node is ConfigScalar { IsNull: false } scalar)
        {
            var text = scalar.Value.Trim();
            var unit = text.Length > 0 && char.IsLetter(text[^1]) ? text[^1] : 's';
            var number = text.Length > 0 && char.IsLetter(text[^1]) ? text[..^1] : text;
            var scale = unit switch { 's' => 1, 'm' => 60, 'h' => 3600, _ => 0 };
            if (scale > 0 && double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                && value * scale >= MinDurationSeconds && value * scale <= MaxDurationSeconds)
            {
                return TimeSpan.FromSeconds(value * scale);
            }
        }

        throw Invalid(node, $"'{key.Name}' must be a duration from 1 ms to 30 days, in seconds or with a unit: 90s, 10m, 1h");
    }

    private static T InRange<T>(ConfigNode node, ConfigKey key, T value)
        where T : IConvertible
    {
        var v = value.ToDouble(CultureInfo.InvariantCulture);
        var low = key.Minimum is { } min && (key.ExclusiveMinimum ? v <= min : v < min);
        var high = key.Maximum is { } max && (key.ExclusiveMaximum ? v >= max : v > max);
        if (low || high)
        {
            throw Invalid(node, $"'{key.Name}' must be {Bounds(key)}; got {v.ToString(CultureInfo.InvariantCulture)}");
        }

        return value;
    }

    private static string Bounds(ConfigKey key)
    {
        string F(double d) => d.ToString(CultureInfo.InvariantCulture);
        var low = key.Minimum is { } min ? (key.ExclusiveMinimum ? $"> {F(min)}" : $">= {F(min)}") : null;
        var high = key.Maximum is { } max ? (key.ExclusiveMaximum ? $"< {F(max)}" : $"<= {F(max)}") : null;
        return string.Join(" and ", new[] { low, high }.Where(s => s is not null));
    }

    private static CompressBuildException WrongType(ConfigNode node, string expectation) =>
        new(DiagnosticCodes.ConfigWrongType, $"{expectation}; got {node.Describe()}.", node.File, node.Line, node.Column);

    private static CompressBuildException Invalid(ConfigNode node, string message) =>
        new(DiagnosticCodes.ConfigInvalidValue, message + ".", node.File, node.Line, node.Column);
}
