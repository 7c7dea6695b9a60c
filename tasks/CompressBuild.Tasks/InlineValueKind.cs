namespace CompressBuild.Tasks;

/// <summary>How an inline metadata value is read: the kinds of compress.yaml's keys an item attribute can hold.</summary>
internal enum InlineValueKind
{
    Text,

    /// <summary>A file or folder, relative to the project file; written to the yaml as an absolute path.</summary>
    Path,
    Number,
    WholeNumber,
    Boolean,

    /// <summary>One of <see cref="InlineMetadata.Choices"/>, case-insensitive.</summary>
    Choice,

    /// <summary>Semicolon- or comma-separated words (MSBuild's list separator).</summary>
    StringList,

    /// <summary>Seconds, or a number with s, m or h.</summary>
    Duration,
}
