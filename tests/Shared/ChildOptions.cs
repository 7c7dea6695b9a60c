namespace CompressBuild.Testing;

/// <summary>How <see cref="ChildProcess"/> starts a child: where, with which environment changes, for how long.</summary>
internal sealed record ChildOptions
{
    public static ChildOptions Default { get; } = new();

    /// <summary>The child's working folder; the test host's when null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables set in the child's environment; a null value removes the variable.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>When set, the child and everything it started are killed after this long (<see cref="ChildRun.TimedOut"/>).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Called with every line as it arrives, from either stream (e.g. to wait for a service's "listening" line).</summary>
    public Action<string>? OnLine { get; init; }
}
