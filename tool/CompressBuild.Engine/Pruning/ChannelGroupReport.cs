namespace CompressBuild.Engine.Pruning;

/// <param name="Members">The tensors that shrink together: producers' outputs and everything coupled to them.</param>
/// <param name="Protected">Why the group was left whole (reaches a model output, an unknown op...), or null.</param>
/// <param name="Removed">Removed channel positions, as indices into the group's first producer output.</param>
public sealed record ChannelGroupReport(IReadOnlyList<string> Members, int ChannelsBefore, int ChannelsAfter, string? Protected, IReadOnlyList<int> Removed)
{
    /// <summary>The multiple the kept count was rounded up to: round_to, or with round_to auto the one measured for this group.</summary>
    public int RoundTo { get; init; } = 1;
}
