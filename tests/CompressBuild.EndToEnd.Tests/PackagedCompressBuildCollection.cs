using Xunit;

namespace CompressBuild.EndToEnd.Tests;

/// <summary>
/// Every end-to-end class shares one packed CompressBuild: as class fixtures, two instances would pack the same
/// project at once and race on its obj/ folder; one collection also keeps the dotnet processes from competing.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PackagedCompressBuildCollection : ICollectionFixture<PackagedCompressBuild>
{
    public const string Name = "Packaged CompressBuild";
}
