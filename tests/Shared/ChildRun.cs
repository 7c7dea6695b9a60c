namespace CompressBuild.Testing;

/// <summary>What one child process did: its exit code and what it printed, per stream and interleaved as it arrived.</summary>
/// <param name="Command">The executable and its arguments, for messages.</param>
/// <param name="Output">Both streams' lines in arrival order, each ended by a newline.</param>
internal sealed record ChildRun(string Command, int ExitCode, string StandardOutput, string StandardError, string Output)
{
    /// <summary>Each printed line with the time it arrived, from the process start (to check progress keeps coming).</summary>
    public IReadOnlyList<TimedLine> Lines { get; init; } = [];

    /// <summary>The child ran past <see cref="ChildOptions.Timeout"/> and was killed; <see cref="ExitCode"/> is then the kill's.</summary>
    public bool TimedOut { get; init; }

    /// <summary>Throws with the whole output unless the child exited 0 in time.</summary>
    public ChildRun Succeeded() => ExitCode == 0 && !TimedOut ? this : throw new InvalidOperationException(ToString());

    public override string ToString() => $"{Command} {(TimedOut ? "timed out" : $"exited {ExitCode}")}:\n{Output}";
}
