using System.Globalization;
using System.Text;

namespace CompressBuild.Protocol;

/// <summary>
/// Builds one flat JSON object on one line, for <see cref="EngineMessageFormat"/>. Everything outside printable
/// ASCII is escaped (<c>\uXXXX</c>, control characters and line separators included): the line then reads the same
/// whatever code page the parent process decodes the pipe with (Windows consoles are not UTF-8 by default), can never
/// be split in two, and <see cref="JsonLineReader"/> (or any JSON parser) restores the text exactly.
/// </summary>
internal sealed class JsonLineWriter
{
    private readonly StringBuilder builder = new("{");
    private bool empty = true;

    /// <summary>A string field; null is written as JSON null.</summary>
    public JsonLineWriter String(string name, string? value)
    {
        Name(name);
        Value(value);
        return this;
    }

    public JsonLineWriter Number(string name, int value)
    {
        Name(name);
        builder.Append(value.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    public JsonLineWriter Boolean(string name, bool value)
    {
        Name(name);
        builder.Append(value ? "true" : "false");
        return this;
    }

    public JsonLineWriter Strings(string name, IEnumerable<string> values)
    {
        Name(name);
        builder.Append('[');
        var first = true;
        foreach (var value in values)
        {
            if (!first)
            {
                builder.Append(',');
            }

            Value(value);
            first = false;
        }

        builder.Append(']');
        return this;
    }

    /// <summary>The object written so far, closed.</summary>
    public string Finish() => builder.ToString() + "}";

    private void Name(string name)
    {
        if (!empty)
        {
            builder.Append(',');
        }

        empty = false;
        Value(name);
        builder.Append(':');
    }

    private void Value(string? value)
    {
        if (value is null)
        {
            builder.Append("null");
            return;
        }

        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < ' ' || c > '~')
                    {
                        // Surrogate pairs become two escapes, which JSON defines as the one character they encode.
                        builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
}
