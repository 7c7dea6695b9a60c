using System.Globalization;

namespace CompressBuild.Engine.Budgets;

/// <summary>How budget messages and reports print numbers: invariant culture, units spelled out.</summary>
public static class BudgetFormat
{
    public static string Percent(double fraction) => string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:0.00}%");

    public static string Points(double fraction) => string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:0.00} pp");

    public static string Ratio(double ratio) => string.Create(CultureInfo.InvariantCulture, $"{ratio:0.000}x");

    public static string Number(double value) => double.IsPositiveInfinity(value) ? "inf" : string.Create(CultureInfo.InvariantCulture, $"{value:0.000000}");

    public static string Db(double value) => double.IsPositiveInfinity(value) ? "inf dB" : string.Create(CultureInfo.InvariantCulture, $"{value:0.00} dB");

    public static string Ms(double ms) => string.Create(CultureInfo.InvariantCulture, $"{ms:0.0000} ms");

    public static string Megabytes(double bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1_000_000:0.000} MB");

    public static string Interval(double low, double high) => string.Create(CultureInfo.InvariantCulture, $"[{low:0.000}x, {high:0.000}x]");
}
