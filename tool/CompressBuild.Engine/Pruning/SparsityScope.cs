namespace CompressBuild.Engine.Pruning;

public enum SparsityScope
{
    /// <summary>One ranking across every prunable layer (layers end up with different sparsities).</summary>
    Global,

    /// <summary>The requested sparsity in each layer.</summary>
    Layer,
}
