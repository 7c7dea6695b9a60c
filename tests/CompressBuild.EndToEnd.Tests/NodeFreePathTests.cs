using Xunit;

namespace CompressBuild.EndToEnd.Tests;

/// <summary>The PATH the end-to-end builds run with really lacks Node.js, and still has what a build needs.</summary>
[Trait("Category", "EndToEnd")]
[Collection(PackagedCompressBuildCollection.Name)]
public sealed class NodeFreePathTests
{
    private readonly PackagedCompressBuild cb;

    public NodeFreePathTests(PackagedCompressBuild cb) => this.cb = cb;

    [Fact]
    public void The_builds_path_resolves_dotnet_but_not_node_npm_or_npx()
    {
        Assert.NotNull(NodeFreePath.Resolve("dotnet", cb.PathWithoutNode));
        foreach (var command in new[] { "node", "nodejs", "npm", "npx" })
        {
            Assert.Null(NodeFreePath.Resolve(command, cb.PathWithoutNode));
        }
    }

    [Fact]
    public void A_dotnet_child_started_by_the_fixture_cannot_start_node()
    {
        // MSBuild sees environment variables as properties: this prints the PATH the child process really got.
        var run = cb.Run(cb.Root, "msbuild", "-nologo", "-getProperty:PATH", Path.Combine(cb.Root, "Directory.Build.props"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(cb.PathWithoutNode, run.Output.Trim());
    }
}
