using System.Globalization;
using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Pruning;

/// <summary>N:M sparsity: at most <see cref="N"/> non-zero weights in each run of <see cref="M"/> along the reduction axis.</summary>
public readonly record struct NmPattern(int N, int M)
{
    public static NmPattern TwoFour { get; } = new(2, 4);

    /// <summary>Parses <c>N:M</c> with 1 &lt;= N &lt; M &lt;= 64 (CB2041 otherwise).</summary>
    public static NmPattern Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            && n >= 1 && n < m && m <= 64)
        {
            return new NmPattern(n, m);
        }

        throw new CompressBuildException(DiagnosticCodes.PrunePatternInvalid,
            $"pattern '{text}' is not an N:M pattern with 1 <= N < M <= 64; use e.g. 2:4, 1:4 or 4:8.");
    }

    public double Sparsity => 1.0 - ((double)N / M);

    public override string ToString() => $"{N}:{M}";
}
