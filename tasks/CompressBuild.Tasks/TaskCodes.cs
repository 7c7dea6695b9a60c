namespace CompressBuild.Tasks;

/// <summary>
/// Codes the MSBuild tasks report themselves (the engine's codes come through its JSON lines unchanged).
/// The engine's DiagnosticCodes is not referenced: this assembly has no dependency on the engine.
/// </summary>
internal static class TaskCodes
{
    /// <summary>An OnnxModel item has neither Config nor inline compression metadata (Quantize, Prune).</summary>
    public const string NothingToDo = "CB2110";

    /// <summary>An item metadata value is not one of the allowed words (Quantize, Prune, Search, a Boolean or any other choice).</summary>
    public const string InvalidMetadataChoice = "CB2111";

    /// <summary>An item metadata value is not a number in range (Sparsity, MinCosine, MaxAccuracyDrop, ...) or not a duration (SearchTimeout).</summary>
    public const string InvalidMetadataNumber = "CB2112";

    /// <summary>A file named by the item (the model, Config, CalibrationData, EvaluationData, Labels) does not exist.</summary>
    public const string FileNotFound = "CB2113";

    /// <summary>The item sets both Config and inline compression metadata.</summary>
    public const string ConfigAndInline = "CB2114";

    /// <summary>Two OnnxModel items would write the same compressed file.</summary>
    public const string DuplicateOutput = "CB2115";

    /// <summary>A path or setting holds a double quote or a line break (or starts with @), which a response file cannot carry.</summary>
    public const string UnpassableArgument = "CB2116";

    /// <summary>An inline metadata is set but what it belongs to is not (PruneImportance without Prune, Labels without EvaluationData, ...).</summary>
    public const string MetadataNeedsOther = "CB2117";

    /// <summary>The engine (dotnet-compress.dll) is not where the targets say it is.</summary>
    public const string ToolNotFound = "CB3010";

    /// <summary>No dotnet host: neither DOTNET_HOST_PATH nor dotnet on PATH.</summary>
    public const string DotnetNotFound = "CB3011";

    /// <summary>The engine failed without reporting an error of its own (it crashed or could not start).</summary>
    public const string EngineFailed = "CB3012";

    /// <summary>An OnnxModel element sets a metadata nothing reads (a misspelt MinSpeedupp, say).</summary>
    public const string UnknownMetadata = "CB4111";

    /// <summary>The produced package is larger than CompressBuildPackageSizeLimitMB.</summary>
    public const string PackageTooLarge = "CB4110";
}
