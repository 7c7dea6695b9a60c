namespace CompressBuild.Engine.Budgets;

/// <summary>
/// compress.baseline.json: one entry per model, keyed by model name in ordinal order, so the file diffs well
/// when committed. <see cref="SchemaVersion"/> changes only when a reader of the old shape would misread it.
/// </summary>
public sealed record BaselineDocument(int SchemaVersion, SortedDictionary<string, BaselineEntry> Models)
{
    public const int CurrentSchemaVersion = 1;

    public static BaselineDocument Empty() => new(CurrentSchemaVersion, new SortedDictionary<string, BaselineEntry>(StringComparer.Ordinal));
}
