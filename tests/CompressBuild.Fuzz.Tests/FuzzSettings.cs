using System.Globalization;

namespace CompressBuild.Fuzz.Tests;

/// <summary>
/// The suite's knobs: <c>COMPRESSBUILD_FUZZ_SEED</c> (a fixed default, so CI runs are reproducible; set another to
/// explore) and <c>COMPRESSBUILD_FUZZ_CASES</c> (in-process cases per run, default 3,000).
/// </summary>
internal static class FuzzSettings
{
    public const int DefaultSeed = 15_2026;

    public const int DefaultCases = 3000;

    public static int Seed => Read("COMPRESSBUILD_FUZZ_SEED", DefaultSeed);

    public static int Cases => Read("COMPRESSBUILD_FUZZ_CASES", DefaultCases);

    private static int Read(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
