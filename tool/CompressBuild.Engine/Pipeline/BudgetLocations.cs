using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Pipeline.Config;

namespace CompressBuild.Engine.Pipeline;

/// <summary>
/// Where in compress.yaml a budget came from, so a miss reads <c>compress.yaml(14,7): error CB1001: ...</c> and
/// an editor or MSBuild jumps to the line to change.
/// </summary>
public static class BudgetLocations
{
    public static ConfigNode Locate(ModelConfig model, CompressConfig config, BudgetCheck check)
    {
        if (check.Name.StartsWith("baseline", StringComparison.Ordinal) || check.Name.StartsWith("release", StringComparison.Ordinal))
        {
            return model.Source.Source;
        }

        var bracket = check.Name.IndexOf('[', StringComparison.Ordinal);
        var key = (bracket < 0 ? check.Name : check.Name[..bracket]).Replace('-', '_');
        return model.Budgets is { } budgets && budgets.Has(key) ? budgets.NodeOf(key) : model.Source.Source;
    }

    /// <summary>An advisory's line: the budget key it is about when the config sets it, else the model's entry.</summary>
    public static ConfigNode Locate(ModelConfig model, Advisory advisory) =>
        advisory.Key is { } key && model.Budgets is { } budgets && budgets.Has(key) ? budgets.NodeOf(key) : model.Source.Source;
}
