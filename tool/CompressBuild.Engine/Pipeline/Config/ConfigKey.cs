using CompressBuild.Engine.Budgets;

namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>One key of compress.yaml: what it holds and the bounds the validator and the JSON Schema enforce.</summary>
public sealed record ConfigKey(string Name, ConfigValueKind Kind, string Description)
{
    public bool Required { get; init; }

    public double? Minimum { get; init; }

    public double? Maximum { get; init; }

    public bool ExclusiveMinimum { get; init; }

    public bool ExclusiveMaximum { get; init; }

    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>For a whole number: words accepted in its place (round_to: auto), read back as text.</summary>
    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>For a path: the file or folder must exist when the config is loaded.</summary>
    public bool MustExist { get; init; }

    public ConfigSection? Section { get; init; }

    public IReadOnlyList<ConfigSection> Passes { get; init; } = [];

    /// <summary>For a budget number: the budget it is, whose parser reads it ("1%" for a fraction, "20ms", "1.5x").</summary>
    public BudgetDescriptor? Budget { get; init; }
}
