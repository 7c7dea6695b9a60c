namespace CompressBuild.Testing;

/// <summary>One line a child process printed, and when it arrived (from the process start).</summary>
public sealed record TimedLine(TimeSpan At, string Text);
