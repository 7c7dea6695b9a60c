namespace CompressBuild.Engine.Budgets;

/// <summary>
/// What a budget or baseline check guards. The search reads it to choose its next step: a fidelity miss is fixed
/// by keeping more of the model in float or pruning less; a size or speed miss needs another plan.
/// </summary>
public enum BudgetKind
{
    /// <summary>How close the candidate's outputs stay to the reference's: accuracy, agreement, cosine, SQNR, floors.</summary>
    Fidelity,

    /// <summary>The candidate's bytes: size in MB, size ratio, growth over the baseline.</summary>
    Size,

    /// <summary>The candidate's latency: speedup, absolute latency.</summary>
    Speed,
}
