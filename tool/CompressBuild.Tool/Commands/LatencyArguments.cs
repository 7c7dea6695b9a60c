using System.CommandLine;
using System.Globalization;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;

namespace CompressBuild.Tool.Commands;

/// <summary>
/// <c>run</c>'s latency sampling knobs (<c>--max-time</c>, <c>--warmup</c>, <c>--ci-width</c>), the same as
/// <c>verify</c>'s; the MSBuild properties CompressBuildMaxTime, CompressBuildWarmup and CompressBuildCiWidth
/// pass them.
/// </summary>
internal sealed class LatencyArguments
{
    private readonly Option<double?> maxTime = new("--max-time") { HelpName = "SECONDS", Description = "Time cap in seconds on each verification's latency sampling (default 3)." };
    private readonly Option<int?> warmup = new("--warmup") { HelpName = "N", Description = "Untimed runs of each model before timing (default 20)." };
    private readonly Option<string?> ciWidth = new("--ci-width")
    {
        HelpName = "PERCENT",
        Description = "Stop sampling once the speedup interval is this narrow, in percent of the speedup (default 5).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(maxTime);
        command.Options.Add(warmup);
        command.Options.Add(ciWidth);
    }

    public LatencyOptions Read(ParseResult parse)
    {
        var defaults = new LatencyOptions();
        var seconds = parse.GetValue(maxTime) ?? defaults.MaxTime.TotalSeconds;
        if (!(seconds > 0) || !double.IsFinite(seconds))
        {
            throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, $"--max-time must be a number of seconds above 0, got {seconds.ToString(CultureInfo.InvariantCulture)}.");
        }

        var runs = parse.GetValue(warmup) ?? defaults.Warmup;
        if (runs < 0)
        {
            throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, $"--warmup must be 0 or more, got {runs}.");
        }

        var width = Percent(parse.GetValue(ciWidth)) ?? defaults.TargetRelativeWidth;
        if (width is <= 0 or >= 1)
        {
            throw new CompressBuildException(DiagnosticCodes.BudgetInvalid, $"--ci-width must be between 0% and 100%, got {width * 100:0.###}%.");
        }

        return defaults with
        {
            MaxTime = TimeSpan.FromSeconds(seconds),
            Warmup = runs,
            TargetRelativeWidth = width,
            MinTime = seconds < defaults.MinTime.TotalSeconds ? TimeSpan.FromSeconds(seconds) : defaults.MinTime,
        };
    }

    /// <summary>A percentage of the speedup ("5" or "5%"), as a fraction.</summary>
    private static double? Percent(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var trimmed = text.Trim().TrimEnd('%').TrimEnd();
        if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new CompressBuildException(DiagnosticCodes.BudgetInvalid, $"--ci-width takes a percentage (e.g. 5 or 5%); got '{text}'.");
        }

        return value / 100;
    }
}
