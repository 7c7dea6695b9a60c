using System.Globalization;
using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Pruning;

/// <summary>A block of the weight matrix viewed as [output units, reduction]: <see cref="Rows"/> outputs by <see cref="Cols"/> reduction elements.</summary>
public readonly record struct BlockShape(int Rows, int Cols)
{
    /// <summary>Parses <c>RxC</c> with 1 &lt;= R, C &lt;= 256 and at least two weights per block (CB2042 otherwise).</summary>
    public static BlockShape Parse(string text)
    {
        var parts = text.ToLowerInvariant().Split('x');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var r)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var c)
            && r is >= 1 and <= 256 && c is >= 1 and <= 256 && r * c >= 2)
        {
            return new BlockShape(r, c);
        }

        throw new CompressBuildException(DiagnosticCodes.PruneBlockInvalid,
            $"block '{text}' is not a block shape RxC with 1 <= R, C <= 256 and at least two weights; use e.g. 4x4, 8x1 or 1x8.");
    }

    public override string ToString() => $"{Rows}x{Cols}";
}
