using Xunit;

namespace CompressBuild.Engine.Tests;

/// <summary>
/// Test classes that set a process-wide environment variable (the cache folder's, NuGet's packages folder) for a moment: they
/// run alone, after the parallel ones, so no other test reads the borrowed value (a cache in a temporary folder about to be
/// deleted, ONNX Runtime looked for in a packages folder that does not exist) when its timing happens to overlap.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment";
}
