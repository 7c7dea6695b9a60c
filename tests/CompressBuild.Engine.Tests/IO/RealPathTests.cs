using CompressBuild.Engine.IO;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.IO;

/// <summary>realpath-like resolution on real links in a temp folder.</summary>
public sealed class RealPathTests : IDisposable
{
    private readonly TempFolder temp = new();

    public RealPathTests()
    {
        Directory.CreateDirectory(temp.File(Path.Combine("a", "b")));
        File.WriteAllText(temp.File(Path.Combine("a", "b", "file.txt")), "x");
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Links_are_followed_and_relative_link_targets_resolve_from_the_link_folder()
    {
        File.CreateSymbolicLink(temp.File("absolute"), temp.File(Path.Combine("a", "b", "file.txt")));
        File.CreateSymbolicLink(temp.File(Path.Combine("a", "relative")), Path.Combine("b", "file.txt"));
        Directory.CreateSymbolicLink(temp.File("folder"), temp.File(Path.Combine("a", "b")));

        var real = temp.File(Path.Combine("a", "b", "file.txt"));
        Assert.Equal(real, RealPath.Of(temp.File("absolute")));
        Assert.Equal(real, RealPath.Of(temp.File(Path.Combine("a", "relative"))));
        Assert.Equal(real, RealPath.Of(temp.File(Path.Combine("folder", "file.txt"))));
        Assert.True(RealPath.AreSame(temp.File("absolute"), temp.File(Path.Combine("folder", ".", "file.txt"))));
    }

    [Fact]
    public void Dot_dot_after_a_link_goes_to_the_parent_of_its_target_not_of_its_name()
    {
        Directory.CreateSymbolicLink(temp.File("shortcut"), temp.File(Path.Combine("a", "b")));

        Assert.Equal(temp.File("a"), RealPath.Of(temp.File(Path.Combine("shortcut", ".."))));
        Assert.NotEqual(Path.GetFullPath(temp.File(Path.Combine("shortcut", ".."))), RealPath.Of(temp.File(Path.Combine("shortcut", ".."))));
    }

    [Fact]
    public void Missing_components_are_kept_as_written()
    {
        Directory.CreateSymbolicLink(temp.File("shortcut"), temp.File(Path.Combine("a", "b")));

        Assert.Equal(temp.File(Path.Combine("a", "b", "new", "out.onnx")), RealPath.Of(temp.File(Path.Combine("shortcut", "new", "out.onnx"))));
    }

    [Fact]
    public void A_link_loop_is_an_io_error_not_a_hang()
    {
        File.CreateSymbolicLink(temp.File("ping"), temp.File("pong"));
        File.CreateSymbolicLink(temp.File("pong"), temp.File("ping"));

        Assert.Throws<IOException>(() => RealPath.Of(temp.File("ping")));
    }

    [Fact]
    public void Inside_means_the_root_itself_or_below_it_not_a_sibling_sharing_its_prefix()
    {
        var root = temp.File("a");

        Assert.True(RealPath.IsInside(root, root));
        Assert.True(RealPath.IsInside(root, temp.File(Path.Combine("a", "b", "file.txt"))));
        Assert.False(RealPath.IsInside(root, temp.File("ab")));
        Assert.False(RealPath.IsInside(root, temp.Path));
    }
}
