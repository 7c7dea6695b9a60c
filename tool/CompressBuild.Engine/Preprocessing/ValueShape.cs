namespace CompressBuild.Engine.Preprocessing;

/// <summary>
/// What is known about one value of a graph: its element type (0 when unknown) and its dimensions (null when
/// even the rank is unknown; -1 for a dimension that is symbolic or unknown).
/// </summary>
public sealed record ValueShape(int ElementType, IReadOnlyList<long>? Dims)
{
    public int? Rank => Dims?.Count;

    /// <summary>True when every dimension is a known number, so Shape/Size of the value is a constant.</summary>
    public bool IsStatic => Dims is not null && Dims.All(d => d >= 0);
}
