namespace CompressBuild.EndToEnd.Tests;

/// <summary>One line a dotnet process printed, and when it arrived (from the process start).</summary>
public sealed record TimedLine(TimeSpan At, string Text);
