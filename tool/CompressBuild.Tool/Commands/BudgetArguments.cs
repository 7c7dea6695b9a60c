using System.Globalization;
using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Tool.Commands;

/// <summary>
/// Parses budget values as people write them: percentages with or without '%' ("1", "1%", "0.5 %"), ratios with
/// or without 'x' ("1.5x"), and numbers with their unit ("20ms", "30dB", "4MB"). A value that is not a number is
/// CB2060 naming the option and what was given.
/// </summary>
internal static class BudgetArguments
{
    /// <summary>A percentage, returned as a fraction (1 -> 0.01).</summary>
    public static double? Percent(string? text, string option) => text is null ? null : Number(text, option, "%") / 100;

    public static double? Value(string? text, string option, string unit) => text is null ? null : Number(text, option, unit);

    private static double Number(string text, string option, string unit)
    {
        var trimmed = text.Trim();
        if (unit.Length > 0 && trimmed.EndsWith(unit, StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^unit.Length].TrimEnd();
        }

        if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            var example = unit switch { "%" => "1 or 1%", "x" => "1.5 or 1.5x", _ => $"20 or 20{unit}" };
            throw new CompressBuildException(DiagnosticCodes.BudgetInvalid, $"{option} takes a number (e.g. {example}); got '{text}'.");
        }

        return value;
    }
}
