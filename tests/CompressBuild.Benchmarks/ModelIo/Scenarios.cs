namespace CompressBuild.Benchmarks.ModelIo;

internal static class Scenarios
{
    public const string Load = "load";
    public const string LoadSaveInline = "load-save-inline";
    public const string LoadSaveExternal = "load-save-external";
    public const string LoadExternalSaveInline = "load-external-save-inline";
    public const string RawRead = "raw-read";
    public const string RawCopy = "raw-copy";
    public const string RawCopyFsync = "raw-copy-fsync";

    /// <summary>
    /// Engine scenarios first, then the pure-I/O baselines. The engine's save flushes its file to disk before the
    /// atomic rename, so the fair baseline for a save is a copy that also flushes (raw-copy-fsync); the plain
    /// File.ReadAllBytes + File.WriteAllBytes copy is listed too.
    /// </summary>
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new(Load, "load", ScenarioInput.Inline, IsEngine: true, RawRead, ExpectedOutput.None),
        new(LoadSaveInline, "load + save inline", ScenarioInput.Inline, IsEngine: true, RawCopyFsync, ExpectedOutput.InlineModel),
        new(LoadSaveExternal, "load + save external data", ScenarioInput.Inline, IsEngine: true, RawCopyFsync, ExpectedOutput.ExternalModel),
        new(LoadExternalSaveInline, "load external + save inline", ScenarioInput.External, IsEngine: true, RawCopyFsync, ExpectedOutput.InlineModel),
        new(RawRead, "baseline: File.ReadAllBytes", ScenarioInput.Inline, IsEngine: false, null, ExpectedOutput.None),
        new(RawCopy, "baseline: ReadAllBytes + WriteAllBytes", ScenarioInput.Inline, IsEngine: false, null, ExpectedOutput.InlineModel),
        new(RawCopyFsync, "baseline: ReadAllBytes + write + fsync", ScenarioInput.Inline, IsEngine: false, null, ExpectedOutput.InlineModel),
    ];

    public static Scenario Find(string id) =>
        All.FirstOrDefault(s => s.Id == id) ?? throw new ArgumentException($"Unknown scenario '{id}'; known: {string.Join(", ", All.Select(s => s.Id))}.", nameof(id));
}
