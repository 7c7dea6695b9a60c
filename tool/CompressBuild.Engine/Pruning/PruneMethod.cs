namespace CompressBuild.Engine.Pruning;

public enum PruneMethod
{
    /// <summary>Unstructured: the smallest weights by magnitude become zero.</summary>
    Magnitude,

    /// <summary>Semi-structured N:M: in every run of M weights along the reduction axis, N survive.</summary>
    NM,

    /// <summary>Whole RxC blocks of the [output, reduction] weight matrix, the weakest by L2 norm, become zero.</summary>
    Block,

    /// <summary>Structured: whole channels are removed, so tensors become physically smaller.</summary>
    Channel,
}
