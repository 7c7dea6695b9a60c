namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>The channels of one value: along <see cref="Axis"/>, channel i is node <c>First + i</c> of the channel graph.</summary>
internal sealed record ChannelSpace(string Value, int Axis, int Count, int First, bool IsProducerOutput)
{
    public int Id(int channel) => First + channel;

    public int[] Ids() => Enumerable.Range(First, Count).ToArray();
}
