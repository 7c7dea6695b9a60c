namespace CompressBuild.Engine.Inspection;

/// <param name="Bytes">Size of the file on disk (0 when it is missing).</param>
public sealed record ExternalFileEntry(string Location, int Tensors, long ReferencedBytes, long Bytes);
