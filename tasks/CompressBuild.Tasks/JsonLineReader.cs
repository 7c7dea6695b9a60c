using System.Globalization;
using System.Text;

namespace CompressBuild.Tasks;

/// <summary>
/// A small JSON reader for the engine's one-object-per-line output. The task assembly may not depend on
/// System.Text.Json (it is not part of netstandard2.0 and Visual Studio's MSBuild would need a copy), and the
/// engine's lines are small, so a strict recursive-descent reader is enough. Objects become
/// <see cref="Dictionary{TKey, TValue}"/>, arrays <see cref="List{T}"/>, numbers <see cref="double"/>.
/// </summary>
internal sealed class JsonLineReader
{
    private readonly string text;
    private int position;

    private JsonLineReader(string text) => this.text = text;

    /// <summary>The value of the whole line, or null with <paramref name="error"/> set when it is not valid JSON.</summary>
    public static object? TryRead(string line, out string? error)
    {
        var reader = new JsonLineReader(line);
        try
        {
            reader.SkipSpace();
            var value = reader.ReadValue();
            reader.SkipSpace();
            if (reader.position != line.Length)
            {
                throw new FormatException($"unexpected '{line[reader.position]}' at {reader.position + 1}");
            }

            error = null;
            return value;
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
    }

    private object? ReadValue()
    {
        if (position >= text.Length)
        {
            throw new FormatException("unexpected end of line");
        }

        switch (text[position])
        {
            case '{':
                return ReadObject();
            case '[':
                return ReadArray();
            case '"':
                return ReadString();
            case 't':
                ReadWord("true");
                return true;
            case 'f':
                ReadWord("false");
                return false;
            case 'n':
                ReadWord("null");
                return null;
            default:
                return ReadNumber();
        }
    }

    private Dictionary<string, object?> ReadObject()
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        position++;
        SkipSpace();
        if (Peek() == '}')
        {
            position++;
            return result;
        }

        while (true)
        {
            SkipSpace();
            if (Peek() != '"')
            {
                throw new FormatException($"expected a property name at {position + 1}");
            }

            var name = ReadString();
            SkipSpace();
            Expect(':');
            SkipSpace();
            result[name] = ReadValue();
            SkipSpace();
            if (Peek() == ',')
            {
                position++;
                continue;
            }

            Expect('}');
            return result;
        }
    }

    private List<object?> ReadArray()
    {
        var result = new List<object?>();
        position++;
        SkipSpace();
        if (Peek() == ']')
        {
            position++;
            return result;
        }

        while (true)
        {
            SkipSpace();
            result.Add(ReadValue());
            SkipSpace();
            if (Peek() == ',')
            {
                position++;
                continue;
            }

            Expect(']');
            return result;
        }
    }

    private string ReadString()
    {
        position++;
        var builder = new StringBuilder();
        while (true)
        {
            if (position >= text.Length)
            {
                throw new FormatException("unterminated string");
            }

            var c = text[position++];
            if (c == '"')
            {
                return builder.ToString();
            }

            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            if (position >= text.Length)
            {
                throw new FormatException("unterminated escape");
            }

            var escape = text[position++];
            switch (escape)
            {
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case '/': builder.Append('/'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u':
                    if (position + 4 > text.Length
                        || !int.TryParse(text.Substring(position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw new FormatException($"bad \\u escape at {position}");
                    }

                    builder.Append((char)code);
                    position += 4;
                    break;
                default:
                    throw new FormatException($"bad escape \\{escape} at {position}");
            }
        }
    }

    private double ReadNumber()
    {
        var start = position;
        while (position < text.Length && "+-0123456789.eE".IndexOf(text[position]) >= 0)
        {
            position++;
        }

        if (start == position
            || !double.TryParse(text.Substring(start, position - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"unexpected '{Peek()}' at {start + 1}");
        }

        return value;
    }

    private void ReadWord(string word)
    {
        if (string.CompareOrdinal(text, position, word, 0, word.Length) != 0)
        {
            throw new FormatException($"unexpected '{text[position]}' at {position + 1}");
        }

        position += word.Length;
    }

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw new FormatException($"expected '{c}' at {position + 1}");
        }

        position++;
    }

    private char Peek() => position < text.Length ? text[position] : '\0';

    private void SkipSpace()
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }
    }
}
