namespace CompressBuild.Engine.Budgets;

/// <summary>How a budget's value is written, the same in compress.yaml, on the command line and in MSBuild metadata.</summary>
public enum BudgetUnit
{
    /// <summary>A fraction (0.01 = one percentage point); "1%" is accepted for the same value.</summary>
    Fraction,

    /// <summary>A cosine similarity, -1 to 1.</summary>
    Cosine,

    /// <summary>Decibels; "30dB" is accepted.</summary>
    Decibels,

    /// <summary>A ratio; "1.5x" is accepted.</summary>
    Ratio,

    /// <summary>Megabytes of 1,000,000 bytes; "4MB" is accepted.</summary>
    Megabytes,

    /// <summary>Milliseconds; "20ms" is accepted.</summary>
    Milliseconds,

    /// <summary>Free text (a machine id).</summary>
    Text,

    /// <summary>true or false.</summary>
    Switch,
}
