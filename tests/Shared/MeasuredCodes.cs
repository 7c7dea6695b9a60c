namespace CompressBuild.Testing;

/// <summary>
/// Diagnostic codes raised from timings taken on the machine that runs the test, so whether one appears depends on that
/// machine's load and CPU: a test that counts diagnostics (or takes the first) leaves these out.
/// </summary>
internal static class MeasuredCodes
{
    /// <summary>
    /// CB4051 (the speedup interval still wide when sampling stopped), CB4016 (int8-static measured slower than float),
    /// CB4017 (latency-aware kept nodes its profile found slow), CB4037 (float activations cut to stay as fast as fp32),
    /// CB4072 (round_to auto's timing contradicts its rule).
    /// </summary>
    public static IReadOnlySet<string> All { get; } = new HashSet<string>(["CB4051", "CB4016", "CB4017", "CB4037", "CB4072"], StringComparer.Ordinal);

    public static bool Contains(string? code) => code is not null && All.Contains(code);
}
