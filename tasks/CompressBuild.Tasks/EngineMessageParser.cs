namespace CompressBuild.Tasks;

/// <summary>
/// Turns one line of the engine's <c>--message-format json-lines</c> output into an <see cref="EngineMessage"/>.
/// Anything that is not one of the engine's objects (the dotnet host's own errors, say) comes back as
/// <see cref="EngineMessageKind.Text"/> so the task can still show it.
/// </summary>
internal static class EngineMessageParser
{
    public static EngineMessage Parse(string line)
    {
        var message = new EngineMessage { RawLine = line, Message = line };
        var trimmed = line.Trim();
        if (!trimmed.StartsWith("{", StringComparison.Ordinal)
            || JsonLineReader.TryRead(trimmed, out _) is not Dictionary<string, object?> json)
        {
            return message;
        }

        switch (Text(json, "kind"))
        {
            case "diagnostic":
                message.Kind = EngineMessageKind.Diagnostic;
                message.IsError = !string.Equals(Text(json, "severity"), "warning", StringComparison.Ordinal);
                message.Code = Text(json, "code");
                message.Message = Text(json, "message") ?? "";
                message.File = Text(json, "file");
                message.Line = Number(json, "line");
                message.Column = Number(json, "column");
                break;
            case "progress":
                message.Kind = EngineMessageKind.Progress;
                message.Model = Text(json, "model");
                message.Message = Text(json, "message") ?? "";
                message.Trial = json.ContainsKey("trial") ? Number(json, "trial") : null;
                message.Trials = json.ContainsKey("trials") ? Number(json, "trials") : null;
                message.Stage = Text(json, "stage");
                break;
            case "summary":
                message.Kind = EngineMessageKind.Summary;
                message.Model = Text(json, "model");
                message.Source = Text(json, "source");
                message.Output = Text(json, "output");
                message.Passed = json.TryGetValue("passed", out var passed) && passed is true;
                message.Message = Text(json, "text") ?? "";
                message.Reports = json.TryGetValue("reports", out var reports) && reports is List<object?> list
                    ? list.OfType<string>().ToList()
                    : [];
                break;
            case "result":
                message.Kind = EngineMessageKind.Result;
                message.ExitCode = Number(json, "exitCode");
                message.Message = "";
                break;
            default:
                break;
        }

        return message;
    }

    private static string? Text(Dictionary<string, object?> json, string name) =>
        json.TryGetValue(name, out var value) ? value as string : null;

    private static int Number(Dictionary<string, object?> json, string name) =>
        json.TryGetValue(name, out var value) && value is double d && d >= 0 && d <= int.MaxValue ? (int)d : 0;
}
