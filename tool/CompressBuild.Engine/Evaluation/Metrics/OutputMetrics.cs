namespace CompressBuild.Engine.Evaluation.Metrics;

/// <summary>
/// How a candidate's output compares with the reference's over a dataset. Agreement and accuracies are set only
/// for classification outputs (accuracies only when labels were given). <see cref="SqnrDb"/> is +infinity when
/// the outputs are identical.
/// </summary>
public sealed record OutputMetrics(
    string Name,
    bool IsClassification,
    int Samples,
    double Cosine,
    double MinCosine,
    double Mse,
    double MaxAbsError,
    double SqnrDb,
    double? Top1Agreement,
    AccuracyPair? Accuracy);
