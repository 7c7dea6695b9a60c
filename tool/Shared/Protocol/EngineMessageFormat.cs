namespace CompressBuild.Protocol;

/// <summary>
/// The wire form of an <see cref="EngineMessage"/>: one JSON object per line, <c>kind</c> first. The only place the
/// field names are spelled, for the writer (the engine) and the reader (the task) alike. A reader ignores fields it
/// does not know, and a line of an unknown kind (or no JSON at all: the dotnet host's own errors) comes back as
/// <see cref="EngineMessageKind.Text"/>, so an older task still works with a newer engine.
/// </summary>
internal static class EngineMessageFormat
{
    private const string KindField = "kind";
    private const string SeverityField = "severity";
    private const string CodeField = "code";
    private const string MessageField = "message";
    private const string FileField = "file";
    private const string LineField = "line";
    private const string ColumnField = "column";
    private const string ModelField = "model";
    private const string StageField = "stage";
    private const string TrialField = "trial";
    private const string TrialsField = "trials";
    private const string SourceField = "source";
    private const string OutputField = "output";
    private const string PassedField = "passed";
    private const string TextField = "text";
    private const string ReportsField = "reports";
    private const string ExitCodeField = "exitCode";

    private const string Error = "error";
    private const string Warning = "warning";

    /// <summary>The message as one line of JSON, ASCII only (see <see cref="JsonLineWriter"/>); a Text message is its raw line.</summary>
    public static string Write(EngineMessage message)
    {
        var json = new JsonLineWriter();
        switch (message.Kind)
        {
            case EngineMessageKind.Diagnostic:
                json.String(KindField, "diagnostic")
                    .String(SeverityField, message.IsError ? Error : Warning)
                    .String(CodeField, message.Code)
                    .String(MessageField, message.Message);
                if (message.File is not null)
                {
                    json.String(FileField, message.File);
                }

                if (message.Line > 0)
                {
                    json.Number(LineField, message.Line);
                }

                if (message.Column > 0)
                {
                    json.Number(ColumnField, message.Column);
                }

                break;
            case EngineMessageKind.Progress:
                json.String(KindField, "progress").String(ModelField, message.Model).String(MessageField, message.Message);
                if (message.Stage is not null)
                {
                    json.String(StageField, message.Stage);
                }

                if (message.Trial is { } trial)
                {
                    json.Number(TrialField, trial);
                }

                if (message.Trials is { } trials)
                {
                    json.Number(TrialsField, trials);
                }

                break;
            case EngineMessageKind.Summary:
                json.String(KindField, "summary")
                    .String(ModelField, message.Model)
                    .String(SourceField, message.Source)
                    .String(OutputField, message.Output)
                    .Boolean(PassedField, message.Passed)
                    .String(TextField, message.Message)
                    .Strings(ReportsField, message.Reports);
                break;
            case EngineMessageKind.Result:
                json.String(KindField, "result").Number(ExitCodeField, message.ExitCode);
                break;
            default:
                return message.RawLine;
        }

        return json.Finish();
    }

    /// <summary>The message a line holds; anything but one of the engine's objects is <see cref="EngineMessageKind.Text"/>.</summary>
    public static EngineMessage Parse(string line)
    {
        var message = new EngineMessage { RawLine = line, Message = line };
        var trimmed = line.Trim();
        if (trimmed.Length == 0 || trimmed[0] != '{'
            || JsonLineReader.TryRead(trimmed, out _) is not Dictionary<string, object?> json)
        {
            return message;
        }

        switch (Text(json, KindField))
        {
            case "diagnostic":
                message.Kind = EngineMessageKind.Diagnostic;
                message.IsError = !string.Equals(Text(json, SeverityField), Warning, StringComparison.Ordinal);
                message.Code = Text(json, CodeField);
                message.Message = Text(json, MessageField) ?? "";
                message.File = Text(json, FileField);
                message.Line = Number(json, LineField) ?? 0;
                message.Column = Number(json, ColumnField) ?? 0;
                break;
            case "progress":
                message.Kind = EngineMessageKind.Progress;
                message.Model = Text(json, ModelField);
                message.Message = Text(json, MessageField) ?? "";
                message.Trial = Number(json, TrialField);
                message.Trials = Number(json, TrialsField);
                message.Stage = Text(json, StageField);
                break;
            case "summary":
                message.Kind = EngineMessageKind.Summary;
                message.Model = Text(json, ModelField);
                message.Source = Text(json, SourceField);
                message.Output = Text(json, OutputField);
                message.Passed = json.TryGetValue(PassedField, out var passed) && passed is true;
                message.Message = Text(json, TextField) ?? "";
                message.Reports = json.TryGetValue(ReportsField, out var reports) && reports is List<object?> list
                    ? list.OfType<string>().ToList()
                    : [];
                break;
            case "result":
                message.Kind = EngineMessageKind.Result;
                message.ExitCode = Number(json, ExitCodeField) ?? 0;
                message.Message = "";
                break;
            default:
                break;
        }

        return message;
    }

    private static string? Text(Dictionary<string, object?> json, string name) =>
        json.TryGetValue(name, out var value) ? value as string : null;

    /// <summary>A whole, non-negative number that fits an int; null when absent or anything else.</summary>
    private static int? Number(Dictionary<string, object?> json, string name) =>
        json.TryGetValue(name, out var value) && value is double d && d >= 0 && d <= int.MaxValue && Math.Floor(d) == d ? (int)d : null;
}
