namespace CompressBuild.Engine.Inspection;

/// <param name="Location">"inline", or the external data file the tensor lives in.</param>
/// <param name="ZeroFraction">Share of elements that are exactly zero; null for tensors that are not weights.</param>
public sealed record TensorEntry(string Name, string DataType, IReadOnlyList<long> Shape, long Elements, long Bytes, string Location, double? ZeroFraction);
