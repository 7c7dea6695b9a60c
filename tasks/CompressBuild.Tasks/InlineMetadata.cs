namespace CompressBuild.Tasks;

/// <summary>
/// One OnnxModel metadata that stands for one compress.yaml key. Instances come only from the generated
/// <see cref="InlineMetadataTable"/>, which mirrors the engine's config schema.
/// </summary>
internal sealed class InlineMetadata
{
    public InlineMetadata(string name, string section, string key, InlineValueKind kind, double? minimum, double? maximum, bool exclusiveMinimum, bool exclusiveMaximum, string[] choices,
        string description)
    {
        Name = name;
        Section = section;
        Key = key;
        Kind = kind;
        Minimum = minimum;
        Maximum = maximum;
        ExclusiveMinimum = exclusiveMinimum;
        ExclusiveMaximum = exclusiveMaximum;
        Choices = choices;
        Description = description;
    }

    /// <summary>The metadata name, e.g. MinCosine.</summary>
    public string Name { get; }

    /// <summary>
    /// Where the key goes: budgets, evaluation, search, prune, quantize, or calibration (the calibration section,
    /// written under the passes that read it: quantize, and prune when it is channel pruning).
    /// </summary>
    public string Section { get; }

    /// <summary>The compress.yaml key, e.g. min_cosine.</summary>
    public string Key { get; }

    public InlineValueKind Kind { get; }

    public double? Minimum { get; }

    public double? Maximum { get; }

    public bool ExclusiveMinimum { get; }

    public bool ExclusiveMaximum { get; }

    public string[] Choices { get; }

    public string Description { get; }

    /// <summary>
    /// A fraction (the schema bounds it to [0, 1]): also accepted with a % sign, 1% = 0.01, and written to the
    /// yaml as the fraction, so metadata and compress.yaml share one unit.
    /// </summary>
    public bool IsFraction => Kind == InlineValueKind.Number && Minimum == 0 && Maximum == 1;

    /// <summary>
    /// A fraction that bounds a loss (max_accuracy_drop, the tolerances): a bare 1 or more there would switch the
    /// budget off, and is what "percentage points" (MaxAccuracyDrop's unit before 0.x) looks like, so it is refused.
    /// </summary>
    public bool IsLossFraction => IsFraction && (Key.StartsWith("max_", StringComparison.Ordinal) || Key.EndsWith("_tolerance", StringComparison.Ordinal));
}
