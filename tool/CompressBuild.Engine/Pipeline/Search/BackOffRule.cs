using CompressBuild.Engine.Budgets;

namespace CompressBuild.Engine.Pipeline.Search;

/// <summary>
/// The search's back-off rule: a candidate that missed a fidelity check (a fidelity budget or floor, a broken
/// output, or the baseline's or last release's accuracy or agreement) is one that keeping more of the model in
/// float, or pruning less, can fix. A size or speed miss needs another plan.
/// </summary>
public static class BackOffRule
{
    public static bool Applies(IEnumerable<BudgetCheck> misses) => misses.Any(m => m.Kind == BudgetKind.Fidelity);
}
