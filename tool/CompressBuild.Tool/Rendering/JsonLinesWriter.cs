using CompressBuild.Protocol;

namespace CompressBuild.Tool.Rendering;

/// <summary>
/// <c>run --message-format json-lines</c>: the protocol the MSBuild task reads. Every line on stdout is one
/// <see cref="EngineMessage"/> in <see cref="EngineMessageFormat"/> (shared with the task as source); the result line
/// is always the last one.
/// </summary>
internal sealed class JsonLinesWriter(TextWriter output)
{
    private readonly Lock gate = new();

    public void Diagnostic(DiagnosticLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        Write(new EngineMessage
        {
            Kind = EngineMessageKind.Diagnostic,
            IsError = line.Severity != DiagnosticLine.Warning,
            Code = line.Code,
            Message = line.Message,
            // Absolute: MSBuild resolves a relative file against the project, not against this process's folder.
            File = line.File is null ? null : Path.GetFullPath(line.File),
            Line = line.Line ?? 0,
            Column = line.Column ?? 0,
        });
    }

    /// <summary>
    /// One progress line; <paramref name="stage"/> (<see cref="EngineProgressStage"/>), <paramref name="trial"/> and
    /// <paramref name="trials"/> (the search's trial limit, on "started") let the build log say "trial n of m".
    /// </summary>
    public void Progress(string model, string message, string? stage = null, int? trial = null, int? trials = null) => Write(new EngineMessage
    {
        Kind = EngineMessageKind.Progress,
        Model = model,
        Message = message,
        Stage = stage,
        Trial = trial,
        Trials = trials,
    });

    public void Summary(string model, string source, string? outputPath, bool passed, string text, IEnumerable<string> reports) => Write(new EngineMessage
    {
        Kind = EngineMessageKind.Summary,
        Model = model,
        Source = source,
        Output = outputPath,
        Passed = passed,
        Message = text,
        Reports = [.. reports],
    });

    public void Result(int exitCode) => Write(new EngineMessage { Kind = EngineMessageKind.Result, ExitCode = exitCode });

    private void Write(EngineMessage message)
    {
        var text = EngineMessageFormat.Write(message);
        lock (gate)
        {
            output.WriteLine(text);
            output.Flush();
        }
    }
}
