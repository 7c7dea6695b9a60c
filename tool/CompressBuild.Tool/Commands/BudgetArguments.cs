using System.CommandLine;
using CompressBuild.Engine.Budgets;

namespace CompressBuild.Tool.Commands;

/// <summary>
/// One option per budget of <see cref="BudgetRegistry"/>, named after its compress.yaml key
/// (<c>max_accuracy_drop</c> is <c>--max-accuracy-drop</c>), written as in compress.yaml: fractions as fractions
/// or with '%' ("0.01", "1%"), numbers optionally with their unit ("1.5x", "20ms", "30dB", "4MB"). A new budget
/// appears here without new code.
/// </summary>
internal sealed class BudgetArguments
{
    private readonly List<(BudgetDescriptor Budget, Option Option)> options = BudgetRegistry.All.Select(b => (b, Create(b))).ToList();

    public static string OptionName(BudgetDescriptor budget) => "--" + budget.Key.Replace('_', '-');

    public void AddTo(Command command)
    {
        foreach (var (_, option) in options)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The budgets the command line sets; the values are parsed and range-checked by the registry (CB2060, CB2046).</summary>
    public BudgetSet Read(ParseResult parse)
    {
        var set = new BudgetSet();
        foreach (var (budget, option) in options)
        {
            object? value = option switch
            {
                Option<bool> flag => parse.GetValue(flag) ? true : null,
                Option<string?> text when parse.GetValue(text) is { } given => budget.IsNumber ? budget.Parse(given) : given,
                _ => null,
            };
            if (value is not null)
            {
                set = budget.Write(set, value);
            }
        }

        return set;
    }

    private static Option Create(BudgetDescriptor budget)
    {
        var description = $"Budget {budget.Key}: {budget.Description}{(budget.Default is null ? "" : $" Default {budget.Default}.")}";
        if (budget.Unit == BudgetUnit.Switch)
        {
            return new Option<bool>(OptionName(budget)) { Description = description };
        }

        var helpName = budget.Unit switch
        {
            BudgetUnit.Fraction => "FRACTION",
            BudgetUnit.Cosine => "COSINE",
            BudgetUnit.Decibels => "DB",
            BudgetUnit.Ratio => "RATIO",
            BudgetUnit.Megabytes => "MB",
            BudgetUnit.Milliseconds => "MS",
            _ => "TEXT",
        };
        return new Option<string?>(OptionName(budget)) { HelpName = helpName, Description = budget.IsNumber ? $"{description} E.g. {budget.Example}." : description };
    }
}
