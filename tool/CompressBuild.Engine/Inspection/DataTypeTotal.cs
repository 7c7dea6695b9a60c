namespace CompressBuild.Engine.Inspection;

public sealed record DataTypeTotal(string DataType, int Tensors, long Elements, long Bytes);
