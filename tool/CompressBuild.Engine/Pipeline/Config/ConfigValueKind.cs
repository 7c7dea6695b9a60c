namespace CompressBuild.Engine.Pipeline.Config;

public enum ConfigValueKind
{
    Text,

    /// <summary>A file path, relative to the compress.yaml's folder.</summary>
    Path,
    Number,
    WholeNumber,
    Boolean,

    /// <summary>One of <see cref="ConfigKey.Choices"/>.</summary>
    Choice,

    /// <summary>A list of strings (a single string is a list of one).</summary>
    StringList,

    /// <summary>Seconds as a number, or a number with s, m or h.</summary>
    Duration,

    /// <summary>A nested mapping described by <see cref="ConfigKey.Section"/>.</summary>
    Section,

    /// <summary>A list of mappings, each described by <see cref="ConfigKey.Section"/>.</summary>
    SectionList,

    /// <summary>A list of one-key mappings naming a pass (<see cref="ConfigKey.Passes"/>) and its settings.</summary>
    PassList,
}
