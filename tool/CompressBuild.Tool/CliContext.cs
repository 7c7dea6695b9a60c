namespace CompressBuild.Tool;

/// <summary>Where a command writes: results to <see cref="Out"/>, diagnostics to <see cref="Error"/>.</summary>
/// <param name="ErrorIsTerminal">True when <see cref="Error"/> is the process's stderr and that is a terminal, so live progress can be drawn.</param>
internal sealed record CliContext(TextWriter Out, TextWriter Error, bool ErrorIsTerminal = false);
