namespace CompressBuild.Engine.Quantization;

/// <summary>A CB4xxx warning the run raised: the model is still written, but the user should know.</summary>
public sealed record QuantizationAdvisory(string Code, string Message);
