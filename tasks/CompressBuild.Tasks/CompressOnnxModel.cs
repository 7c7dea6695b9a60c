using CompressBuild.Protocol;
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
    /// <summary>Advisories whose appearance depends on machine load: messages unless the project opts in (NoiseWarnings).</summary>
    private static readonly string[] NoiseDependentCodes = ["CB4051"];

    /// <summary>Longest quiet spell before a "still ..." message: the build promises one at least every 15 s, the timer ticks every second.</summary>
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);

    private readonly List<string> reports = [];
    private readonly List<string> unparsed = [];
    private readonly object logGate = new();
    private readonly BuildProgress progress = new();
    private Dictionary<int, (string Name, int Line, int Column)>? configMap;
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

    /// <summary>The compress.yaml the engine runs (the item's Config, or the one generated from its metadata).</summary>
    public string ConfigFile { get; set; } = "";

    /// <summary>
    /// The config was generated from inline metadata: diagnostics about its lines are shown at the attribute the
    /// line came from, and messages name metadata rather than compress.yaml keys or command-line options.
    /// </summary>
    public bool GeneratedConfig { get; set; }

    /// <summary>CompressBuildNoiseWarnings: report noise-dependent advisories (CB4051) as warnings rather than messages.</summary>
    public bool NoiseWarnings { get; set; }


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

        bool succeeded;
        using (new Timer(_ => Heartbeat(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)))
        {
            succeeded = base.Execute();
        }

        lock (logGate)
        {
            progress.Stop();
            Log.LogMessage(MessageImportance.Normal, progress.Finished());
        }

        succeeded = succeeded && !Log.HasLoggedErrors;
        if (!succeeded)
        {
            // A failed model has no output: an earlier build's compressed model must not be taken for this one's
            // (the targets then remove its copy from the output folder too).
            DeleteStaleOutput();
        }

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
            LogAtItem(TaskCodes.EngineFailed,
                $"The engine's response file {ResponseFile} does not exist; PrepareOnnxModels writes it (run the CompressBuild target, not _CompressBuildCompress alone).");
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

        var message = EngineMessageFormat.Parse(singleLine);
        lock (logGate)
        {
            Report(message, singleLine);
        }
    }

    private void Report(EngineMessage message, string singleLine)
    {
        switch (message.Kind)
        {
            case EngineMessageKind.Diagnostic:
                var (file, line, column) = Position(message);
                var text = EngineMessageWording.For(message.Message, GeneratedConfig);
                if (message.IsError)
                {
                    engineReportedError = true;
                    Log.LogError(null, message.Code, message.Code, file, line, column, 0, 0, text);
                }
                else if (!NoiseWarnings && NoiseDependentCodes.Contains(message.Code))
                {
                    // Not a warning: it comes and goes with machine load, and -warnaserror builds would fail at random.
                    Log.LogMessage(null, message.Code, message.Code, file, line, column, 0, 0, MessageImportance.High,
                        text + " (a message, not a warning, because it depends on machine load; CompressBuildNoiseWarnings=true makes it a warning)");
                }
                else
                {
                    Log.LogWarning(null, message.Code, message.Code, file, line, column, 0, 0, text);
                }

                break;
            case EngineMessageKind.Progress:
                Log.LogMessage(MessageImportance.Normal, progress.Describe(message, EngineMessageWording.For(message.Message, GeneratedConfig)));
                break;
            case EngineMessageKind.Summary:
                reports.AddRange(message.Reports);
                progress.Touch();
                Log.LogMessage(MessageImportance.High, message.Message);
                break;
            case EngineMessageKind.Result:
                engineExitCode = message.ExitCode;
                break;
            default:
                // Not the engine's JSON: the dotnet host or the runtime speaking. Kept for the failure message.
                unparsed.Add(singleLine);
                progress.Touch();
                Log.LogMessage(MessageImportance.Normal, singleLine);
                break;
        }
    }

    /// <summary>
    /// Where a diagnostic is shown: its own file and line, except that a line of a generated config is shown at the
    /// attribute it came from, and anything else in a generated config (or without a file) at the item.
    /// </summary>
    private (string? File, int Line, int Column) Position(EngineMessage message)
    {
        var item = (ItemFile.Length > 0 ? ItemFile : null, ItemLine, ItemColumn);
        if (message.File is null)
        {
            return item;
        }

        if (!GeneratedConfig || ConfigFile.Length == 0 || !string.Equals(Path.GetFullPath(message.File), Path.GetFullPath(ConfigFile), StringComparison.Ordinal))
        {
            return (message.File, message.Line, message.Column);
        }

        configMap ??= GeneratedConfigMap.Read(ConfigFile);
        return configMap.TryGetValue(message.Line, out var at) && at.Line > 0 ? (item.Item1, at.Line, at.Column) : item;
    }

    /// <summary>Runs on a timer thread: when the engine has been quiet for a while, say what it is still doing.</summary>
    private void Heartbeat()
    {
        lock (logGate)
        {
            if (progress.Quiet(HeartbeatInterval) is { } still)
            {
                Log.LogMessage(MessageImportance.Normal, still);
            }
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

    private void DeleteStaleOutput()
    {
        try
        {
            if (File.Exists(OutputFile))
            {
                File.Delete(OutputFile);
                Log.LogMessage(MessageImportance.Normal, $"Removed {OutputFile}: the compressed model of an earlier build, which this build could not replace.");
            }
        }
        catch (IOException e)
        {
            Log.LogMessage(MessageImportance.High, $"Could not remove the earlier compressed model {OutputFile}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            Log.LogMessage(MessageImportance.High, $"Could not remove the earlier compressed model {OutputFile}: {e.Message}");
        }
    }

    private void LogAtItem(string code, string message) =>
        Log.LogError(null, code, code, ItemFile.Length > 0 ? ItemFile : null, ItemLine, ItemColumn, 0, 0, message);
}
