namespace CompressBuild.Engine.Evaluation.Metrics;

/// <summary>Per-output metrics of a candidate against its reference over one dataset.</summary>
public sealed record ComparisonResult(int Samples, IReadOnlyList<OutputMetrics> Outputs)
{
    /// <summary>The output labels were scored against: the first classification output, if any.</summary>
    public OutputMetrics? Labelled => Outputs.FirstOrDefault(o => o.Accuracy is not null);

    /// <summary>The ctc metric's character accuracies of the recognizer output; null unless the metric is ctc.</summary>
    public TextAccuracy? Text { get; init; }
}
