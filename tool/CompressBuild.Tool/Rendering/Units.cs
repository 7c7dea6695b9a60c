using System.Globalization;
using CompressBuild.Engine.Budgets;

namespace CompressBuild.Tool.Rendering;

/// <summary>
/// The CLI's names for the engine's one formatter (<see cref="BudgetFormat"/>): a size or a time prints the same in
/// a table as in the budget message beside it (decimal MB, ms with three decimals).
/// </summary>
internal static class Units
{
    public static string Bytes(long bytes) => BudgetFormat.Bytes(bytes);

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Percent(double fraction) => BudgetFormat.Percent(fraction);

    public static string Ms(double ms) => BudgetFormat.Ms(ms);
}
