namespace CompressBuild.Engine.Quantization.Operators;

/// <summary>What a mode's rewrite did with one node: <see cref="Reason"/> is null when it was rewritten (then
/// <see cref="Detail"/> says how, for the decision table), else why the node stays float.</summary>
internal readonly record struct OpRewrite(string? Reason, string? Detail)
{
    /// <summary>Attention's Q x K^T and scores x V: no weight to quantize, so nothing to warn about.</summary>
    public const string ActivationProduct = "both inputs are computed at run time (no weight)";

    public static OpRewrite Done(string detail) => new(null, detail);

    /// <summary>The node stays float for <paramref name="reason"/>; a null reason means the rewrite was made.</summary>
    public static OpRewrite Refused(string? reason, string detail) => new(reason, reason is null ? detail : null);
}
