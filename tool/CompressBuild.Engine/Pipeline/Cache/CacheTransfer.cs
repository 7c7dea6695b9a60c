using System.Globalization;
using CompressBuild.Engine.Budgets;

namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>Bytes moved to or from the remote cache, and how long it took (for progress lines and the benchmark).</summary>
public sealed record CacheTransfer(long Bytes, TimeSpan Elapsed)
{
    /// <summary>"12.3 MB in 0.42 s", in the one size convention of every output (<see cref="BudgetFormat.Bytes"/>).</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{BudgetFormat.Bytes(Bytes)} in {Elapsed.TotalSeconds:0.00} s");
}
