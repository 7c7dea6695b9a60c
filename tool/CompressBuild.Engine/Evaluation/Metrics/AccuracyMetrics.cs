using CompressBuild.Engine.Choices;

namespace CompressBuild.Engine.Evaluation.Metrics;

/// <summary>The registry of accuracy metrics (evaluation's <c>metric</c>, verify's <c>--metric</c>).</summary>
public static class AccuracyMetrics
{
    public static ChoiceSet<Choice<AccuracyMetric>> All { get; } = new(
        new(AccuracyMetric.Top1, "top1", "class scores: top-1/top-k against integer class labels (default)"),
        new(AccuracyMetric.Ctc, "ctc", "a CTC text recognizer: greedy-decoded text scored by character accuracy against text labels, or " +
            "against the reference's own text; needs the character list (keys)"));

    public static string NameOf(AccuracyMetric metric) => All.Of(metric).Name;
}
