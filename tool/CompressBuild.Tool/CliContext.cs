namespace CompressBuild.Tool;

/// <summary>Where a command writes: results to <see cref="Out"/>, diagnostics to <see cref="Error"/>.</summary>
internal sealed record CliContext(TextWriter Out, TextWriter Error);
