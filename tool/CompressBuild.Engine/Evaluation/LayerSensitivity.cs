namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// How much one layer alone costs when compressed (e.g. the SQNR or accuracy drop with only that layer
/// quantized). Verification does not measure it; the pipeline passes it in so the reports can show it.
/// </summary>
public sealed record LayerSensitivity(string Layer, string Metric, double Value);
