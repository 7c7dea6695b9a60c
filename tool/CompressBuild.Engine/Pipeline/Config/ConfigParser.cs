using CompressBuild.Engine.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>
/// Parses compress.yaml into <see cref="ConfigNode"/>s that remember their line and column. Built on YamlDotNet's
/// event parser rather than its object model so that anchors and aliases (the YAML "billion laughs" bomb) are
/// refused before anything is expanded, and file size, nesting depth and node count are bounded.
/// </summary>
public static class ConfigParser
{
    public const long MaxFileBytes = 1 << 20;
    public const int MaxDepth = 32;
    public const int MaxNodes = 100_000;

    public static ConfigNode Parse(string text, string file)
    {
        if (text.Length > MaxFileBytes)
        {
            throw new CompressBuildException(DiagnosticCodes.ConfigRefused, $"the file is {text.Length} characters long; a compress.yaml may have at most {MaxFileBytes}.", file, 1, 1);
        }

        var parser = new Parser(new StringReader(text));
        var nodes = 0;
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                throw new CompressBuildException(DiagnosticCodes.ConfigInvalidValue, "the file is empty; it needs at least 'version: 1' and 'models:'.", file, 1, 1);
            }

            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, file, 0, ref nodes);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                throw Error(DiagnosticCodes.ConfigRefused, "the file holds more than one YAML document; keep one.", file, second.Start);
            }

            return root;
        }
        catch (YamlException e)
        {
            throw new CompressBuildException(DiagnosticCodes.ConfigSyntax, $"YAML syntax error: {Reason(e)}", file, (int)e.Start.Line, (int)e.Start.Column, e);
        }
    }

    private static ConfigNode ReadNode(IParser parser, string file, int depth, ref int nodes)
    {
        if (++nodes > MaxNodes || depth > MaxDepth)
        {
            throw Error(DiagnosticCodes.ConfigRefused, nodes > MaxNodes ? $"the file has more than {MaxNodes} values." : $"values are nested more than {MaxDepth} deep.", file, parser.Current!.Start);
        }

        var current = parser.Current!;
        if (current is AnchorAlias alias)
        {
            throw Error(DiagnosticCodes.ConfigRefused, $"YAML aliases (*{alias.Value}) are not allowed in compress.yaml; write the value out.", file, alias.Start);
        }

        if (current is NodeEvent { Anchor.IsEmpty: false } anchored)
        {
            throw Error(DiagnosticCodes.ConfigRefused, $"YAML anchors (&{anchored.Anchor}) are not allowed in compress.yaml; write the value out.", file, anchored.Start);
        }

        switch (current)
        {
            case Scalar scalar:
                parser.MoveNext();
                return new ConfigScalar(file, Line(scalar.Start), Column(scalar.Start), scalar.Value, scalar.Style is not ScalarStyle.Plain);
            case SequenceStart start:
            {
                parser.MoveNext();
                var items = new List<ConfigNode>();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    items.Add(ReadNode(parser, file, depth + 1, ref nodes));
                }

                return new ConfigSequence(file, Line(start.Start), Column(start.Start), items);
            }

            case MappingStart start:
            {
                parser.MoveNext();
                var entries = new List<KeyValuePair<ConfigScalar, ConfigNode>>();
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    if (ReadNode(parser, file, depth + 1, ref nodes) is not ConfigScalar key)
                    {
                        throw Error(DiagnosticCodes.ConfigInvalidValue, "a key must be a plain name, not a list or a mapping.", file, start.Start);
                    }

                    if (entries.Any(e => e.Key.Value == key.Value))
                    {
                        throw new CompressBuildException(DiagnosticCodes.ConfigUnknownKey, $"key '{key.Value}' appears twice in this mapping.", file, key.Line, key.Column);
                    }

                    entries.Add(new(key, ReadNode(parser, file, depth + 1, ref nodes)));
                }

                return new ConfigMapping(file, Line(start.Start), Column(start.Start), entries);
            }

            default:
                throw Error(DiagnosticCodes.ConfigSyntax, $"unexpected {current.GetType().Name}.", file, current.Start);
        }
    }

    private static int Line(Mark mark) => (int)mark.Line;

    private static int Column(Mark mark) => (int)mark.Column;

    private static CompressBuildException Error(DiagnosticCode code, string message, string file, Mark at) =>
        new(code, message, file, Line(at), Column(at));

    // YamlDotNet prefixes its messages with the position, which our canonical form already carries.
    private static string Reason(YamlException e)
    {
        var message = e.InnerException?.Message ?? e.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 && message.StartsWith('(') ? message[(cut + 3)..] : message;
    }
}
