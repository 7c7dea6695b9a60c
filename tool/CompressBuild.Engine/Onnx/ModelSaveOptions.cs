namespace CompressBuild.Engine.Onnx;

public sealed record ModelSaveOptions
{
    /// <summary>Protobuf cannot serialize a message of 2 GiB or more; a model that would reach this moves its weights out.</summary>
    public const long ProtobufLimitBytes = (2L << 30) - 1;

    public static ModelSaveOptions Default { get; } = new();

    public ExternalDataLayout Layout { get; init; } = ExternalDataLayout.Keep;

    /// <summary>Tensors smaller than this stay inline when weights move to external data (ONNX's own default is 1024).</summary>
    public long SizeThreshold { get; init; } = 1024;

    /// <summary>Name of the single data file; default <c>&lt;model file name&gt;.data</c>.</summary>
    public string? DataFileName { get; init; }

    /// <summary>
    /// Files the command reads (the model and its external data files, data, labels, config, baseline): neither
    /// the output nor a data file written beside it may resolve to any of them (CB2200).
    /// </summary>
    public IReadOnlyList<string> Reads { get; init; } = [];

    /// <summary>Inline bytes above which the layout switches to external data on its own (overridable for tests).</summary>
    public long InlineLimitBytes { get; init; } = ProtobufLimitBytes - (64L << 20);
}
