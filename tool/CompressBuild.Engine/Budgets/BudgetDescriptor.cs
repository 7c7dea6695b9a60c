using System.Globalization;
using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Budgets;

/// <summary>
/// One budget, described once: its compress.yaml key (the CLI option and the MSBuild metadata are named after it),
/// unit, range, description, default, kind, how it is stored in a <see cref="BudgetSet"/>, and its check. The
/// config schema, the binding, the CLI, the MSBuild inline metadata and the messages all read it from
/// <see cref="BudgetRegistry"/>.
/// </summary>
/// <param name="Key">The neutral name every message uses, e.g. <c>max_accuracy_drop</c>.</param>
public sealed record BudgetDescriptor(string Key, BudgetKind Kind, BudgetUnit Unit, string Description)
{
    public double? Minimum { get; init; }

    public double? Maximum { get; init; }

    public bool ExclusiveMinimum { get; init; }

    public bool ExclusiveMaximum { get; init; }

    /// <summary>The value used when none is given (null: the budget is off), as written in compress.yaml.</summary>
    public string? Default { get; init; }

    public required Func<BudgetSet, object?> Read { get; init; }

    public required Func<BudgetSet, object?, BudgetSet> Write { get; init; }

    /// <summary>The checks this budget adds when set; null for a setting that only tunes another check (a tolerance, a machine id).</summary>
    public Func<BudgetInputs, IEnumerable<BudgetCheck>>? Check { get; init; }

    public bool IsNumber => Unit is not (BudgetUnit.Text or BudgetUnit.Switch);

    /// <summary>The suffix a value may carry ("%" for fractions), empty for none.</summary>
    public string Suffix => Unit switch
    {
        BudgetUnit.Fraction => "%",
        BudgetUnit.Decibels => "dB",
        BudgetUnit.Ratio => "x",
        BudgetUnit.Megabytes => "MB",
        BudgetUnit.Milliseconds => "ms",
        _ => "",
    };

    /// <summary>A value as a user may write it, e.g. "0.01 or 1%".</summary>
    public string Example => Unit switch
    {
        BudgetUnit.Fraction => "0.01 or 1%",
        BudgetUnit.Cosine => "0.99",
        BudgetUnit.Decibels => "30 or 30dB",
        BudgetUnit.Ratio => "1.5 or 1.5x",
        BudgetUnit.Megabytes => "4 or 4MB",
        BudgetUnit.Milliseconds => "20 or 20ms",
        BudgetUnit.Switch => "true",
        _ => "a text",
    };

    /// <summary>What a valid value is, for messages: "a fraction from 0 to 1 (0.01 or 1% is one point)".</summary>
    public string Range
    {
        get
        {
            var what = Unit switch
            {
                BudgetUnit.Fraction => "a fraction",
                BudgetUnit.Cosine => "a cosine",
                BudgetUnit.Decibels => "a number of dB",
                BudgetUnit.Ratio => "a ratio",
                BudgetUnit.Megabytes => "a size in MB",
                BudgetUnit.Milliseconds => "a time in ms",
                _ => "a value",
            };
            var bounds = (Minimum, Maximum) switch
            {
                ({ } low, { } high) => $" {(ExclusiveMinimum ? "above" : "from")} {Text(low)} {(ExclusiveMaximum ? "up to but not" : "to")} {Text(high)}",
                ({ } low, null) => $" {(ExclusiveMinimum ? "above" : "of at least")} {Text(low)}",
                _ => " (finite)",
            };
            return what + bounds + $", e.g. {Example}";
        }
    }

    public bool InRange(double value) =>
        double.IsFinite(value)
        && (Minimum is not { } low || (ExclusiveMinimum ? value > low : value >= low))
        && (Maximum is not { } high || (ExclusiveMaximum ? value < high : value <= high));

    /// <summary>
    /// Reads a value as written on any surface: a number, optionally with the unit's suffix ("1%" = 0.01 for a
    /// fraction, "1.5x", "20ms"). Not a number is CB2060; out of range is CB2060, or CB2046 for a fraction above 1
    /// written bare (a percentage where a fraction belongs).
    /// </summary>
    public double Parse(string text, string? file = null, int? line = null, int? column = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var percent = false;
        if (Suffix.Length > 0 && trimmed.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^Suffix.Length].TrimEnd();
            percent = Unit == BudgetUnit.Fraction;
        }

        if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new CompressBuildException(DiagnosticCodes.BudgetInvalid, $"budget {Key} takes a number (e.g. {Example}); got '{text}'.", file, line, column);
        }

        value = percent ? value / 100 : value;
        if (!percent)
        {
            CheckRange(value, file, line, column);
        }
        else if (!InRange(value))
        {
            throw new CompressBuildException(DiagnosticCodes.BudgetInvalid, $"budget {Key} must be {Range}; got {text.Trim()}.", file, line, column);
        }

        return value;
    }

    /// <summary>Fails when a value, however given, is outside the budget's range (CB2046 for a bare fraction above 1, else CB2060).</summary>
    public void CheckRange(double value, string? file = null, int? line = null, int? column = null)
    {
        if (InRange(value))
        {
            return;
        }

        if (Unit == BudgetUnit.Fraction && value > 1 && double.IsFinite(value))
        {
            throw new CompressBuildException(DiagnosticCodes.BudgetNotAFraction,
                $"budget {Key} is a fraction: 0.01 or 1% is one point; got {Text(value)}. Write {Text(value / 100)} or {Text(value)}% for {Text(value)} percent.", file, line, column);
        }

        throw new CompressBuildException(DiagnosticCodes.BudgetInvalid, $"budget {Key} must be {Range}; got {Text(value)}.", file, line, column);
    }

    private static string Text(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
