using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace CompressBuild.Tasks;

/// <summary>
/// Compresses one OnnxModel item by running the engine out of process:
/// <c>dotnet exec dotnet-compress.dll run @file.rsp</c> with <c>--message-format json-lines</c>, turning its
/// diagnostics into MSBuild errors and warnings with their CB codes and positions. Out of process because the
/// engine loads ONNX Runtime's native library and large models, neither of which belongs in a long-lived
/// MSBuild node; and because then this assembly needs nothing but MSBuild's API. Cancelling the build kills
/// the process tree (ToolTask); <c>dotnet exec</c> runs the engine inside the host process, so that is the engine.
/// </summary>
public sealed class CompressOnnxModel : ToolTask
{
    private readonly List<string> reports = [];
    private readonly List<string> unparsed = [];
    private bool engineReportedError;
    private int? engineExitCode;

    /// <summary>The engine's entry assembly, dotnet-compress.dll.</summary>
    [Required]
    public string ToolAssembly { get; set; } = "";

    /// <summary>The response file PrepareOnnxModels wrote for this model.</summary>
    [Required]
    public string ResponseFile { get; set; } = "";

    /// <summary>Where the engine writes the compressed model (returned as <see cref="CompressedModel"/> when it exists).</summary>
    [Required]
    public string OutputFile { get; set; } = "";

    /// <summary>Sets COMPRESSBUILD_ONNXRUNTIME for the engine when not empty.</summary>
    public string OnnxRuntimePath { get; set; } = "";

    /// <summary>The NuGet package whose native ONNX Runtime library the engine loads (COMPRESSBUILD_ONNXRUNTIME_PACKAGE).</summary>
    public string OnnxRuntimePackage { get; set; } = "";

    /// <summary>Its version (COMPRESSBUILD_ONNXRUNTIME_VERSION).</summary>
    public string OnnxRuntimeVersion { get; set; } = "";

    /// <summary>The NuGet global packages folder restore used (COMPRESSBUILD_ONNXRUNTIME_PACKAGES).</summary>
    public string PackagesFolder { get; set; } = "";

    /// <summary>The item's position, for errors that have none of their own (the engine could not start, say).</summary>
    public string ItemFile { get; set; } = "";

    public int ItemLine { get; set; }

    public int ItemColumn { get; set; }

    [Output]
    public ITaskItem? CompressedModel { get; set; }

    [Output]
    public ITaskItem[] Reports { get; set; } = [];

    protected override string ToolName => DotnetHost.ExecutableName;

    public override bool Execute()
    {
        var environment = new List<string>(EnvironmentVariables ?? []);
        if (OnnxRuntimePath.Trim().Length > 0)
        {
            environment.Add("COMPRESSBUILD_ONNXRUNTIME=" + Path.GetFullPath(OnnxRuntimePath.Trim()));
        }

        AddIfSet(environment, "COMPRESSBUILD_ONNXRUNTIME_PACKAGE", OnnxRuntimePackage);
        AddIfSet(environment, "COMPRESSBUILD_ONNXRUNTIME_VERSION", OnnxRuntimeVersion);
        AddIfSet(environment, "COMPRESSBUILD_ONNXRUNTIME_PACKAGES", PackagesFolder);

        environment.Add("DOTNET_CLI_TELEMETRY_OPTOUT=1");
        EnvironmentVariables = environment.ToArray();

        var succeeded = base.Execute() && !Log.HasLoggedErrors;
        if (File.Exists(OutputFile))
        {
            CompressedModel = new TaskItem(OutputFile);
        }

        Reports = reports.Select(r => (ITaskItem)new TaskItem(r)).ToArray();
        return succeeded;
    }

    private static void AddIfSet(List<string> environment, string name, string value)
    {
        if (value.Trim().Length > 0)
        {
            environment.Add(name + "=" + value.Trim());
        }
    }

    protected override bool ValidateParameters()
    {
        if (!File.Exists(ToolAssembly))
        {
            LogAtItem(TaskCodes.ToolNotFound,
                $"The CompressBuild engine was not found at {ToolAssembly}. Restore the CompressBuild package again, or set CompressBuildToolDirectory to the folder holding dotnet-compress.dll.");
            return false;
        }

        if (!File.Exists(ResponseFile))
        {
            LogAtItem(TaskCodes.EngineFailed, $"The engine's response file {ResponseFile} does not exist; PrepareOnnxModels writes it (run the CompressBuild target, not _CompressBuildCompress alone).");
            return false;
        }

        return base.ValidateParameters();
    }

    protected override string GenerateFullPathToTool()
    {
        var host = DotnetHost.Find(Environment.GetEnvironmentVariable);
        if (host is null)
        {
            LogAtItem(TaskCodes.DotnetNotFound,
                "The dotnet host was not found: DOTNET_HOST_PATH is not set and no dotnet is on PATH. Install the .NET SDK or runtime (10.0 or later) and put dotnet on PATH.");
            return "";
        }

        return host;
    }

    protected override string GenerateCommandLineCommands()
    {
        var builder = new CommandLineBuilder();
        builder.AppendSwitch("exec");
        builder.AppendFileNameIfNotNull(ToolAssembly);
        builder.AppendSwitch("run");
        builder.AppendSwitch("@\"" + ResponseFile + "\"");
        return builder.ToString();
    }

    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        if (singleLine.Trim().Length == 0)
        {
            return;
        }

        var message = EngineMessageParser.Parse(singleLine);
        switch (message.Kind)
        {
            case EngineMessageKind.Diagnostic:
                var file = message.File ?? ItemFile;
                var line = message.File is null ? ItemLine : message.Line;
                var column = message.File is null ? ItemColumn : message.Column;
                if (message.IsError)
                {
                    engineReportedError = true;
                    Log.LogError(null, message.Code, message.Code, file, line, column, 0, 0, message.Message);
                }
                else
                {
                    Log.LogWarning(null, message.Code, message.Code, file, line, column, 0, 0, message.Message);
                }

                break;
            case EngineMessageKind.Progress:
                Log.LogMessage(MessageImportance.Low, message.Model is null ? message.Message : $"{message.Model}: {message.Message}");
                break;
            case EngineMessageKind.Summary:
                reports.AddRange(message.Reports);
                Log.LogMessage(MessageImportance.High, message.Message);
                break;
            case EngineMessageKind.Result:
                engineExitCode = message.ExitCode;
                break;
            default:
                // Not the engine's JSON: the dotnet host or the runtime speaking. Kept for the failure message.
                unparsed.Add(singleLine);
                Log.LogMessage(MessageImportance.Normal, singleLine);
                break;
        }
    }

    protected override bool HandleTaskExecutionErrors()
    {
        // The engine already said what went wrong (with its code and position): MSB6006 would only repeat it.
        if (engineReportedError || Log.HasLoggedErrors)
        {
            return false;
        }

        var detail = unparsed.Count == 0 ? "" : " Its output: " + string.Join(" | ", unparsed.Skip(Math.Max(0, unparsed.Count - 5)));
        var reported = engineExitCode is null ? "without its result line" : $"with result {engineExitCode}";
        LogAtItem(TaskCodes.EngineFailed,
            $"The CompressBuild engine exited with code {ExitCode} {reported} and reported no error.{detail}");
        return false;
    }

    private void LogAtItem(string code, string message) =>
        Log.LogError(null, code, code, ItemFile.Length > 0 ? ItemFile : null, ItemLine, ItemColumn, 0, 0, message);
}
