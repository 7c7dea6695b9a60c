using System.Globalization;

namespace CompressBuild.Engine.Budgets;

/// <summary>
/// The one place numbers are formatted for people, in budget messages, reports and the CLI alike: invariant
/// culture, units spelled out, sizes in decimal units (1 MB = 1,000,000 bytes, as in the budget <c>max_size_mb</c>),
/// times in ms with three decimals.
/// </summary>
public static class BudgetFormat
{
    public static string Percent(double fraction) => string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:0.00}%");

    /// <summary>A confidence level or target width, whole percent: 0.95 -> "95%".</summary>
    public static string Level(double fraction) => string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:0.#}%");

    /// <summary>"3.500x smaller" for a reference/candidate size ratio above 1, "4.000x larger" below it.</summary>
    public static string SizeChange(double ratio) => ratio >= 1 ? $"{Ratio(ratio)} smaller" : $"{Ratio(1 / ratio)} larger";

    public static string Points(double fraction) => string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:0.00} pp");

    public static string Ratio(double ratio) => string.Create(CultureInfo.InvariantCulture, $"{ratio:0.000}x");

    public static string Number(double value) => double.IsPositiveInfinity(value) ? "inf" : string.Create(CultureInfo.InvariantCulture, $"{value:0.000000}");

    public static string Db(double value) => double.IsPositiveInfinity(value) ? "inf dB" : string.Create(CultureInfo.InvariantCulture, $"{value:0.00} dB");

    public static string Ms(double ms) => string.Create(CultureInfo.InvariantCulture, $"{ms:0.000} ms");

    /// <summary>A size in the largest decimal unit under it: "512 B", "27.4 kB", "4.7 MB", "1.20 GB".</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e3:0.0} kB"),
        < 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.0} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:0.00} GB"),
    };

    public static string Megabytes(double bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1_000_000:0.000} MB");

    public static string Interval(double low, double high) => string.Create(CultureInfo.InvariantCulture, $"[{low:0.000}x, {high:0.000}x]");

    /// <summary>A check's number in the unit it is stated in (<see cref="BudgetCheck.Unit"/>).</summary>
    public static string WithUnit(double value, string unit) => unit switch
    {
        "fraction" => Percent(value),
        "ratio" => Ratio(value),
        "dB" => Db(value),
        "ms" => Ms(value),
        "bytes" => value.ToString("N0", CultureInfo.InvariantCulture),
        "MB" => string.Create(CultureInfo.InvariantCulture, $"{value:0.000} MB"),
        _ => Number(value),
    };
}
