using System.CommandLine;

namespace CompressBuild.Tool.Commands;

/// <summary>The System.CommandLine options behind <see cref="RunBuildOptions"/>, kept apart from the everyday <c>run</c> options.</summary>
internal sealed class RunBuildArguments
{
    public const string TextFormat = "text";
    public const string JsonLinesFormat = "json-lines";

    private readonly Option<string?> modelFile = new("--model-file") { Description = "Run only the model whose resolved path is this file." };
    private readonly Option<string?> output = new("--output") { Description = "Write the selected model here instead of its configured output (one model only)." };
    private readonly Option<string?> origin = new("--origin") { Description = "Report diagnostics located in the config at FILE(LINE,COLUMN) instead (for generated configs)." };
    private readonly Option<string> messageFormat = new("--message-format")
    {
        Description = "text, or json-lines: one JSON object per line on stdout (the MSBuild protocol).",
        DefaultValueFactory = _ => TextFormat,
    };
    private readonly Option<bool> missesAsWarnings = new("--misses-as-warnings") { Description = "Report budget misses as warnings, write the closest candidate anyway, and exit 0." };
    private readonly Option<string?> dependenciesFile = new("--dependencies-file")
    {
        Description = "After a run that wrote its output, list every input file it read here (one absolute path per line).",
    };
    private readonly Option<string?> recordBaseline = new("--record-baseline") { Description = "Write this run's baseline entries for the selected models to this file (when every budget holds)." };
    private readonly Option<string?> baselinePackage = new("--baseline-package") { Description = "Compare against the baselines packed in the last release of this NuGet package." };
    private readonly Option<string?> baselineFeed = new("--baseline-feed") { Description = "The feed of --baseline-package: a v3 feed URL or a local folder." };
    private readonly Option<string?> baselineBefore = new("--baseline-before") { Description = "Use the highest version of --baseline-package lower than this one (the version being built)." };

    public RunBuildArguments()
    {
        messageFormat.AcceptOnlyFromAmong(TextFormat, JsonLinesFormat);
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { modelFile, output, origin, messageFormat, missesAsWarnings, dependenciesFile, recordBaseline, baselinePackage, baselineFeed, baselineBefore })
        {
            command.Options.Add(option);
        }
    }

    public RunBuildOptions Read(ParseResult parse) => new()
    {
        ModelFile = parse.GetValue(modelFile),
        Output = parse.GetValue(output),
        Origin = parse.GetValue(origin),
        JsonLines = parse.GetValue(messageFormat) == JsonLinesFormat,
        MissesAsWarnings = parse.GetValue(missesAsWarnings),
        DependenciesFile = parse.GetValue(dependenciesFile),
        RecordBaseline = parse.GetValue(recordBaseline),
        BaselinePackage = parse.GetValue(baselinePackage),
        BaselineFeed = parse.GetValue(baselineFeed),
        BaselineBefore = parse.GetValue(baselineBefore),
    };
}
