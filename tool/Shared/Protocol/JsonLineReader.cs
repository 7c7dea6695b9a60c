using System.Globalization;
using System.Text;

namespace CompressBuild.Protocol;

/// <summary>
/// A small JSON reader for the engine's one-object-per-line output. The task assembly does not depend on
/// System.Text.Json (not part of netstandard2.0; each MSBuild host ships its own version of it: tasks/README.md),
/// and the lines are small, so a strict recursive-descent reader is enough. Objects become
/// <see cref="Dictionary{TKey, TValue}"/>, arrays <see cref="List{T}"/>, numbers <see cref="double"/>.
/// </summary>
internal sealed class JsonLineReader
{
    /// <summary>Deeper nesting is refused: the engine's lines are flat, and recursion must not overflow the MSBuild node's stack.</summary>
    private const int MaxDepth = 32;

    private readonly string text;
    private int position;
    private int depth;

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
                return Nested(ReadObject);
            case '[':
                return Nested(ReadArray);
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

    private T Nested<T>(Func<T> read)
    {
        if (++depth > MaxDepth)
        {
            throw new FormatException($"nested deeper than {MaxDepth} at {position + 1}");
        }

        var value = read();
        depth--;
        return value;
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
                    builder.Append(ReadHexCode());
                    break;
                default:
                    throw new FormatException($"bad escape \\{escape} at {position}");
            }
        }
    }

    /// <summary>The four hex digits after <c>\\u</c>.</summary>
    private char ReadHexCode()
    {
        var code = 0;
        for (var end = position + 4; position < end; position++)
        {
            var c = position < text.Length ? char.ToUpperInvariant(text[position]) : '\0';
            var digit = c is >= '0' and <= '9' ? c - '0' : c is >= 'A' and <= 'F' ? c - 'A' + 10 : -1;
            if (digit < 0)
            {
                throw new FormatException($"bad \\u escape at {position + 1}");
            }

            code = (code * 16) + digit;
        }

        return (char)code;
    }

    private double ReadNumber()
    {
        var start = position;
        while (position < text.Length && IsNumberCharacter(text[position]))
        {
            position++;
        }

        // netstandard2.0 (the task assembly) has no span overload of double.TryParse.
#pragma warning disable CA1846
        var parsed = double.TryParse(text.Substring(start, position - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var value);
#pragma warning restore CA1846
        if (start == position || !parsed)
        {
            throw new FormatException($"unexpected '{Peek()}' at {start + 1}");
        }

        return value;
    }

    private static bool IsNumberCharacter(char c) => c is (>= '0' and <= '9') or '+' or '-' or '.' or 'e' or 'E';

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
