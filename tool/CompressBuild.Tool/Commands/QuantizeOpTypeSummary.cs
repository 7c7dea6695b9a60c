namespace CompressBuild.Tool.Commands;

/// <summary>How many nodes of one op type were quantized and how many stayed float.</summary>
internal sealed record QuantizeOpTypeSummary(string OpType, int Quantized, int Float);
