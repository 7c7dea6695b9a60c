namespace CompressBuild.Tasks;

/// <summary>A problem with one metadata of an OnnxModel item, reported at that metadata's position.</summary>
internal sealed class MetadataError
{
    public MetadataError(string code, string metadata, string message)
    {
        Code = code;
        Metadata = metadata;
        Message = message;
    }

    public string Code { get; }

    /// <summary>The metadata name, or empty for the item as a whole.</summary>
    public string Metadata { get; }

    public string Message { get; }
}
