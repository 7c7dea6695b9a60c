namespace CompressBuild.Engine.Evaluation.Metrics;

/// <summary>What "accuracy" means for a model's labelled output (evaluation's <c>metric</c>).</summary>
public enum AccuracyMetric
{
    /// <summary>Class scores [C] or [N, C]: top-1/top-k against integer class labels.</summary>
    Top1,

    /// <summary>A CTC text recognizer's [N, T, C] scores: greedy-decoded text scored by character accuracy.</summary>
    Ctc,
}
