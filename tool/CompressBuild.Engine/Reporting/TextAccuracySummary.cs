using System.Globalization;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Evaluation.Metrics;

namespace CompressBuild.Engine.Reporting;

/// <summary>
/// The ctc metric in words and rows, one wording for every place that shows it (verify's text, the Markdown and HTML reports):
/// what was decoded and against what, then character accuracy, CER and exact lines of both models, then the drop.
/// </summary>
public static class TextAccuracySummary
{
    public static IReadOnlyList<string> Columns { get; } = ["model", "character accuracy", "CER", "lines exact"];

    public static string Line(TextAccuracy text, string? keys)
    {
        ArgumentNullException.ThrowIfNull(text);
        var classes = $"{text.Classes} classes: blank, {text.Classes - 1 - (text.AppendsSpace ? 1 : 0)} keys{(text.AppendsSpace ? ", space" : "")}";
        var against = text.AgainstLabels ? "the text labels" : "the reference's own decoded text (no labels)";
        return string.Create(CultureInfo.InvariantCulture,
            $"ctc greedy decoding of '{text.Output}' ({classes}; keys {keys ?? "given"}), {text.Lines} lines scored against {against}, {text.Characters} characters");
    }

    /// <summary>(model, character accuracy, CER, lines exact) for the reference, then the candidate.</summary>
    public static IReadOnlyList<string[]> Rows(TextAccuracy text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return
        [
            ["reference", BudgetFormat.Percent(text.ReferenceAccuracy), BudgetFormat.Percent(text.ReferenceCer), BudgetFormat.Percent(text.ReferenceLines)],
            ["candidate", BudgetFormat.Percent(text.CandidateAccuracy), BudgetFormat.Percent(text.CandidateCer), BudgetFormat.Percent(text.CandidateLines)],
        ];
    }

    public static string Drop(TextAccuracy text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return $"character accuracy drop {BudgetFormat.Points(text.Drop)}; the candidate's text agrees with the reference's at {BudgetFormat.Percent(text.Agreement)} of characters";
    }
}
