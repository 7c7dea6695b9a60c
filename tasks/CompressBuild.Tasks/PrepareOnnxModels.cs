using System.Globalization;
using CompressBuild.Engine.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace CompressBuild.Tasks;

/// <summary>
/// Resolves every OnnxModel item before the (batched, incremental) compression target runs: checks its
/// metadata, writes a compress.yaml for inline metadata and the engine's response file (both only when their
/// content changes, so their timestamps are honest Inputs), and returns the item with everything the targets
/// need: OutputFile, TargetPath, ConfigFile, ResponseFile, DependenciesFile, Dependencies (the files the last run
/// read), BaselineFile, ModelName, Pack, PackagePath and the item's position for error messages.
/// </summary>
public sealed class PrepareOnnxModels : Microsoft.Build.Utilities.Task
{
    [Required]
    public ITaskItem[] Models { get; set; } = [];

    /// <summary>The project file (MSBuildProjectFullPath); metadata paths are relative to its folder.</summary>
    [Required]
    public string ProjectFile { get; set; } = "";

    /// <summary>CompressBuild's folder under obj/ (models/, configs/, rsp/, baselines/ go below it).</summary>
    [Required]
    public string IntermediateDirectory { get; set; } = "";

    [Required]
    public string ReportDirectory { get; set; } = "";

    public string CacheDirectory { get; set; } = "";

    public bool MissesAsWarnings { get; set; }

    public bool IsPackable { get; set; }

    public string BaselinePackage { get; set; } = "";

    public string BaselineFeed { get; set; } = "";

    public string BaselineBefore { get; set; } = "";

    /// <summary>CompressBuildExecutionProvider: passed as --execution-provider (the engine checks the name), so a change re-runs the model.</summary>
    public string ExecutionProvider { get; set; } = "";

    /// <summary>CompressBuildThreads: intra-op threads for verification (empty: the engine's default, 1).</summary>
    public string Threads { get; set; } = "";

    /// <summary>CompressBuildMaxTime: seconds of latency sampling per verification (empty: the engine's default, 3).</summary>
    public string MaxTime { get; set; } = "";

    /// <summary>CompressBuildWarmup: untimed runs of each model before timing (empty: 20).</summary>
    public string Warmup { get; set; } = "";

    /// <summary>CompressBuildCiWidth: stop sampling once the speedup interval is this narrow, percent (empty: 5).</summary>
    public string CiWidth { get; set; } = "";

    [Output]
    public ITaskItem[] PreparedModels { get; set; } = [];

    public override bool Execute()
    {
        var projectFile = Path.GetFullPath(ProjectFile);
        var projectDirectory = Path.GetDirectoryName(projectFile)!;
        var intermediate = Path.GetFullPath(Path.Combine(projectDirectory, IntermediateDirectory));
        var reports = Path.GetFullPath(Path.Combine(projectDirectory, ReportDirectory));
        var prepared = new List<ITaskItem>();
        var outputs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        foreach (var item in Models)
        {
            var modelPath = item.GetMetadata("FullPath");
            var defining = item.GetMetadata("DefiningProjectFullPath");
            var locationFile = defining.Length > 0 && File.Exists(defining) ? defining : projectFile;
            var location = ProjectItemLocator.Find(locationFile, "OnnxModel", item.ItemSpec, modelPath)
                ?? (string.Equals(locationFile, projectFile, StringComparison.Ordinal) ? null : ProjectItemLocator.Find(projectFile, "OnnxModel", item.ItemSpec, modelPath))
                ?? new ItemLocation(locationFile, 0, 0);

            if (!File.Exists(modelPath))
            {
                Error(location.For("Include"), TaskCodes.FileNotFound,
                    $"OnnxModel '{item.ItemSpec}': the model {modelPath} does not exist (paths are relative to the project file).");
                continue;
            }

            var targetPath = TargetPath(item.GetMetadata("Link"), modelPath, projectDirectory);
            var key = targetPath.Replace('\\', '_').Replace('/', '_');
            var output = Path.Combine(intermediate, "models", targetPath);
            if (outputs.TryGetValue(output, out var other))
            {
                Error(location.For("Include"), TaskCodes.DuplicateOutput,
                    $"OnnxModel '{item.ItemSpec}' and '{other}' would both be written to {output}; give one of them a different Link.");
                continue;
            }

            outputs[output] = item.ItemSpec;
            WarnAboutUnknownMetadata(item.ItemSpec, location);
            var errors = new List<MetadataError>();
            var config = item.GetMetadata("Config").Trim();
            string configFile;
            var generated = false;
            string modelName;
            if (config.Length > 0)
            {
                var inline = InlineModelConfig.InlineNames.Where(n => item.GetMetadata(n).Trim().Length > 0).ToList();
                configFile = Path.GetFullPath(Path.Combine(projectDirectory, config));
                if (inline.Count > 0)
                {
                    errors.Add(new MetadataError(TaskCodes.ConfigAndInline, inline[0],
                        $"OnnxModel '{item.ItemSpec}' sets both Config and {string.Join(", ", inline)}; put the settings in {config} or remove Config."));
                }
                else if (!File.Exists(configFile))
                {
                    errors.Add(new MetadataError(TaskCodes.FileNotFound, "Config",
                        $"OnnxModel '{item.ItemSpec}': Config {configFile} does not exist (paths in metadata are relative to the project file)."));
                }

                modelName = Path.GetFileNameWithoutExtension(modelPath);
            }
            else
            {
                generated = true;
                configFile = Path.Combine(intermediate, "configs", key + ".compress.yaml");
                var yaml = InlineModelConfig.Build(modelPath, n => item.GetMetadata(n), projectDirectory, location, errors);
                if (yaml is not null)
                {
                    FileUpdate.WriteIfChanged(configFile, yaml);
                }

                modelName = Path.GetFileNameWithoutExtension(modelPath);
            }

            foreach (var error in errors)
            {
                Error(error.Metadata.Length == 0 ? location : location.For(error.Metadata), error.Code, error.Message);
            }

            if (errors.Count > 0)
            {
                continue;
            }

            var dependenciesFile = Path.Combine(intermediate, "dependencies", key + ".txt");
            var baselineFile = Path.Combine(intermediate, "baselines", key + ".json");
            var responseFile = Path.Combine(intermediate, "rsp", key + ".rsp");
            try
            {
                FileUpdate.WriteIfChanged(responseFile, EngineResponseFile.Format(Tokens(configFile, modelPath, output, reports, dependenciesFile, baselineFile)));
            }
            catch (ArgumentException e)
            {
                Error(location.For("Include"), TaskCodes.UnpassableArgument, $"OnnxModel '{item.ItemSpec}': {e.Message}. Rename the file or folder.");
                continue;
            }

            var result = new TaskItem(modelPath);
            item.CopyMetadataTo(result);
            result.SetMetadata("OutputFile", output);
            result.SetMetadata("TargetPath", targetPath);
            result.SetMetadata("ConfigFile", configFile);
            result.SetMetadata("GeneratedConfig", generated ? "true" : "false");
            result.SetMetadata("ResponseFile", responseFile);
            result.SetMetadata("DependenciesFile", dependenciesFile);
            result.SetMetadata("Dependencies", string.Join(";", PreviousDependencies(dependenciesFile)));
            result.SetMetadata("BaselineFile", baselineFile);
            result.SetMetadata("ModelName", modelName);
            result.SetMetadata("Key", key);
            result.SetMetadata("ItemFile", location.File);
            result.SetMetadata("ItemLine", location.Line.ToString(CultureInfo.InvariantCulture));
            result.SetMetadata("ItemColumn", location.Column.ToString(CultureInfo.InvariantCulture));
            var pack = item.GetMetadata("Pack").Trim();
            result.SetMetadata("Pack", pack.Length == 0 ? (IsPackable ? "true" : "false") : pack.ToLowerInvariant());
            var packagePath = item.GetMetadata("PackagePath").Trim();
            result.SetMetadata("PackagePath", packagePath.Length > 0 ? packagePath : "contentFiles/any/any/" + targetPath.Replace('\\', '/'));
            prepared.Add(result);
        }

        PreparedModels = prepared.ToArray();
        return !Log.HasLoggedErrors;
    }

    /// <summary>
    /// The engine's arguments. No <c>--origin</c> for a generated config: its diagnostics keep their line in the
    /// generated file, which CompressOnnxModel maps back to the attribute that line came from (GeneratedConfigMap).
    /// </summary>
    private IEnumerable<string> Tokens(string config, string model, string output, string reports, string dependencies, string baseline)
    {
        yield return config;
        yield return "--model-file";
        yield return model;
        yield return "--output";
        yield return output;
        foreach (var (option, value) in new[] { ("--threads", Threads), ("--max-time", MaxTime), ("--warmup", Warmup), ("--ci-width", CiWidth) })
        {
            if (value.Trim().Length > 0)
            {
                yield return option;
                yield return value.Trim();
            }
        }

        yield return "--message-format";
        yield return "json-lines";
        yield return "--report-dir";
        yield return reports;
        yield return "--dependencies-file";
        yield return dependencies;
        yield return "--record-baseline";
        yield return baseline;
        if (CacheDirectory.Trim().Length > 0)
        {
            yield return "--cache-dir";
            yield return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(ProjectFile))!, CacheDirectory.Trim()));
        }

        if (MissesAsWarnings)
        {
            yield return "--misses-as-warnings";
        }

        if (ExecutionProvider.Trim().Length > 0)
        {
            yield return "--execution-provider";
            yield return ExecutionProvider.Trim();
        }

        if (BaselineFeed.Trim().Length > 0)
        {
            yield return "--baseline-package";
            yield return BaselinePackage.Trim();
            yield return "--baseline-feed";
            yield return BaselineFeed.Trim();
            yield return "--baseline-before";
            yield return BaselineBefore.Trim();
        }
    }

    /// <summary>The relative path the compressed model gets in the output: Link, else the path below the project, else the file name.</summary>
    internal static string TargetPath(string link, string modelPath, string projectDirectory)
    {
        link = link.Trim();
        if (link.Length > 0)
        {
            return link;
        }

        var prefix = projectDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var comparison = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return modelPath.StartsWith(prefix, comparison) ? modelPath.Substring(prefix.Length) : Path.GetFileName(modelPath);
    }

    private static IEnumerable<string> PreviousDependencies(string dependenciesFile)
    {
        if (!File.Exists(dependenciesFile))
        {
            return [];
        }

        return File.ReadAllLines(dependenciesFile).Select(l => l.Trim()).Where(l => l.Length > 0);
    }

    /// <summary>
    /// CB4111 for each attribute or child element written on the item's own element that nothing reads: MSBuild
    /// keeps any metadata name, so a misspelt MinSpeedupp would otherwise be silently ignored. Only what the
    /// element itself sets is checked (not metadata from ItemDefinitionGroups or other targets).
    /// </summary>
    private void WarnAboutUnknownMetadata(string itemSpec, ItemLocation location)
    {
        var known = InlineMetadataTable.All.Select(m => m.Name).Concat(OtherKnownMetadata).ToList();
        foreach (var written in location.Metadata)
        {
            if (known.Contains(written.Key, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var closest = EditDistance.Closest(written.Key, known);
            var hint = closest is null
                ? " The OnnxModel metadata are listed in the CompressBuild README (Inline metadata)."
                : $" Did you mean {closest}?";
            Log.LogWarning(null, TaskCodes.UnknownMetadata, TaskCodes.UnknownMetadata, written.Value.File, written.Value.Line, written.Value.Column, 0, 0,
                $"OnnxModel '{itemSpec}' sets {written.Key}, which CompressBuild does not know, so it has no effect.{hint}");
        }
    }

    /// <summary>Item attributes MSBuild itself reads, metadata the targets read, and common metadata other tooling adds.</summary>
    private static readonly string[] OtherKnownMetadata =
    [
        "Include", "Exclude", "Remove", "Update", "Condition", "Label", "KeepMetadata", "RemoveMetadata", "KeepDuplicates", "MatchOnMetadata", "MatchOnMetadataOptions",
        "Config", "Link", "Pack", "PackagePath", "Visible", "LinkBase", "CopyToOutputDirectory", "CopyToPublishDirectory", "DependentUpon", "Generator",
        "LastGenOutput", "CustomToolNamespace", "SubType", "DesignTime", "AutoGen", "Private", "TargetPath",
    ];

    private void Error(ItemLocation at, string code, string message) =>
        Log.LogError(null, code, code, at.File, at.Line, at.Column, 0, 0, message);
}
