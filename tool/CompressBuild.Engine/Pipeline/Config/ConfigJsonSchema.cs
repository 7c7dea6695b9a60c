using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>
/// Writes the JSON Schema (draft-07, what YAML editors' language servers read) for compress.yaml from
/// <see cref="CompressConfigSchema"/>, so editors complete and check the same keys the tool accepts.
/// </summary>
public static class ConfigJsonSchema
{
    public const string FileName = "compress.schema.json";

    public static string Generate()
    {
        var root = Section(CompressConfigSchema.Root);
        root.Insert(0, "$schema", "http://json-schema.org/draft-07/schema#");
        root.Insert(1, "title", "compress.yaml");
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static JsonObject Section(ConfigSection section)
    {
        var properties = new JsonObject();
        foreach (var key in section.Keys)
        {
            properties[key.Name] = Key(key);
        }

        var schema = new JsonObject
        {
            ["type"] = "object",
            ["description"] = section.Description,
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
        var required = section.Keys.Where(k => k.Required).Select(k => (JsonNode)k.Name).ToArray();
        if (required.Length > 0)
        {
            schema["required"] = new JsonArray(required);
        }

        if (section.Shorthand is { } shorthand)
        {
            var scalar = Key(section.Find(shorthand)!);
            return new JsonObject { ["description"] = section.Description, ["oneOf"] = new JsonArray(scalar, schema) };
        }

        return schema;
    }

    private static JsonObject Key(ConfigKey key)
    {
        var schema = key.Kind switch
        {
            ConfigValueKind.Text or ConfigValueKind.Path => new() { ["type"] = "string" },
            ConfigValueKind.Number when key.Budget is { Suffix.Length: > 0 } budget => new() { ["oneOf"] = new JsonArray(Bounded(new() { ["type"] = "number" }, key),
                new JsonObject { ["type"] = "string", ["pattern"] = $"^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)? *({AnyCase(budget.Suffix)})?$" }) },
            ConfigValueKind.Number => Bounded(new() { ["type"] = "number" }, key),
            ConfigValueKind.WholeNumber when key.Keywords.Count > 0 => new()
            {
                ["oneOf"] = new JsonArray(Bounded(new() { ["type"] = "integer" }, key), new JsonObject { ["enum"] = new JsonArray(key.Keywords.Select(k => (JsonNode)k).ToArray()) }),
            },
            ConfigValueKind.WholeNumber => key.Choices.Count > 0
                ? new() { ["enum"] = new JsonArray(key.Choices.Select(c => (JsonNode)long.Parse(c, CultureInfo.InvariantCulture)).ToArray()) }
                : Bounded(new() { ["type"] = "integer" }, key),
            ConfigValueKind.Boolean => new() { ["type"] = "boolean" },
            ConfigValueKind.Choice => new() { ["enum"] = new JsonArray(key.Choices.Select(c => (JsonNode)c).ToArray()) },
            ConfigValueKind.StringList => StringList(key),
            ConfigValueKind.Duration => new() { ["oneOf"] =
                new JsonArray(new JsonObject { ["type"] = "number", ["exclusiveMinimum"] = 0 }, new JsonObject { ["type"] = "string", ["pattern"] = "^[0-9]+(\\.[0-9]+)?[smh]?$" }) },
            ConfigValueKind.Section => Section(key.Section!),
            ConfigValueKind.SectionList => new() { ["type"] = "array", ["items"] = Section(key.Section!) },
            ConfigValueKind.PassList => new()
            {
                ["type"] = "array",
                ["items"] = new JsonObject
                {
                    ["oneOf"] = new JsonArray(key.Passes.Select(p => (JsonNode)new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = new JsonObject { [p.Name] = Section(p) },
                        ["required"] = new JsonArray(p.Name),
                        ["additionalProperties"] = false,
                    }).ToArray()),
                },
            },
            _ => throw new InvalidOperationException(key.Kind.ToString()),
        };
        schema.Remove("description");
        schema.Insert(0, "description", key.Description);
        return schema;
    }

    /// <summary>"dB" as "[dD][bB]": ECMA regular expressions (JSON Schema's) have no case-insensitive flag.</summary>
    private static string AnyCase(string text) => string.Concat(text.Select(c => char.IsLetter(c) ? $"[{char.ToLowerInvariant(c)}{char.ToUpperInvariant(c)}]" : c.ToString()));

    private static JsonObject StringList(ConfigKey key)
    {
        JsonObject Item() => key.Choices.Count > 0
            ? new JsonObject { ["enum"] = new JsonArray(key.Choices.Select(c => (JsonNode)c).ToArray()) }
            : new JsonObject { ["type"] = "string" };
        return new() { ["oneOf"] = new JsonArray(Item(), new JsonObject { ["type"] = "array", ["items"] = Item() }) };
    }

    private static JsonObject Bounded(JsonObject schema, ConfigKey key)
    {
        if (key.Minimum is { } min)
        {
            schema[key.ExclusiveMinimum ? "exclusiveMinimum" : "minimum"] = min;
        }

        if (key.Maximum is { } max)
        {
            schema[key.ExclusiveMaximum ? "exclusiveMaximum" : "maximum"] = max;
        }

        return schema;
    }
}
