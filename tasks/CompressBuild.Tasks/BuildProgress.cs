using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using CompressBuild.Protocol;

namespace CompressBuild.Tasks;

/// <summary>
/// What one engine run is doing, for progress lines in the build log: trial n of m and the current step, and when
/// the engine has been quiet (one trial can take minutes on a large model) a "still ..." line, so a build at
/// normal verbosity never looks hung. Not thread-safe: the task calls it under its log lock.
/// </summary>
internal sealed class BuildProgress
{
    private static readonly Regex TrialDone = new(@"^trial (?<n>\d+):\s*", RegexOptions.CultureInvariant);

    private readonly Stopwatch total = Stopwatch.StartNew();
    private readonly Stopwatch sinceLast = Stopwatch.StartNew();
    private string? model;
    private string step = "starting the engine";
    private int finished;
    private int? limit;
    private bool stopped;

    /// <summary>The log line for a progress message (whose text is <paramref name="text"/>, already reworded).</summary>
    public string Describe(EngineMessage message, string text)
    {
        Touch();
        model = message.Model is { Length: > 0 } name ? name : model;
        limit = message.Trials ?? limit;
        var prefix = model is null ? "" : model + ": ";
        var done = TrialDone.Match(text);
        if (message.Stage == EngineProgressStage.Trial || done.Success)
        {
            finished = message.Trial ?? (done.Success ? int.Parse(done.Groups["n"].Value, CultureInfo.InvariantCulture) : finished + 1);
            step = "between trials";
            return $"{prefix}trial {finished}{Of()} done: {(done.Success ? text.Substring(done.Length) : text)}";
        }

        if (message.Stage == EngineProgressStage.Finished)
        {
            step = "finishing";
            return prefix + text;
        }

        if (message.Stage == EngineProgressStage.Started)
        {
            step = text;
            return limit is { } most && most > 1 ? $"{prefix}{text} (searching, at most {most} trials)" : prefix + text;
        }

        step = text;
        return $"{prefix}{Current()}{text}";
    }

    /// <summary>Something was logged: the quiet spell starts again.</summary>
    public void Touch() => sinceLast.Restart();

    /// <summary>No more heartbeats (the engine has exited).</summary>
    public void Stop() => stopped = true;

    /// <summary>The last line: how long the engine ran (what a search's timeout is held against).</summary>
    public string Finished() =>
        string.Format(CultureInfo.InvariantCulture, "{0}the engine ran for {1:0.0} s", model is null ? "" : model + ": ", total.Elapsed.TotalSeconds);

    /// <summary>A "still ..." line when nothing was logged for <paramref name="interval"/>, else null.</summary>
    public string? Quiet(TimeSpan interval)
    {
        if (stopped || sinceLast.Elapsed < interval)
        {
            return null;
        }

        Touch();
        var prefix = model is null ? "" : model + ": ";
        return $"{prefix}{Current()}still {step} ({Seconds(total.Elapsed)} since the engine started)";
    }

    private string Current() => finished == 0 && limit is null or 1 ? "" : $"trial {finished + 1}{Of()}: ";

    private string Of() => limit is { } most && most > 1 ? $" of at most {most}" : "";

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalMinutes >= 1
        ? string.Format(CultureInfo.InvariantCulture, "{0}m {1:00}s", (int)elapsed.TotalMinutes, elapsed.Seconds)
        : string.Format(CultureInfo.InvariantCulture, "{0}s", (int)elapsed.TotalSeconds);
}
