using CompressBuild.Engine.IO;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.IO;

/// <summary>Real files in a temp folder: the temporary sibling, a publish over an existing file, and a write that never finishes.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void The_temporary_file_is_a_short_hidden_sibling_of_the_destination_and_new_each_time()
    {
        var destination = temp.File(new string('m', 250) + ".onnx");

        var first = AtomicFile.CreateTempPathFor(destination);
        var second = AtomicFile.CreateTempPathFor(destination);

        Assert.Equal(temp.Path, Path.GetDirectoryName(first));
        Assert.StartsWith(".cb-", Path.GetFileName(first), StringComparison.Ordinal);
        Assert.True(Path.GetFileName(first).Length <= 20, first);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Publish_replaces_the_destination_while_a_reader_of_the_old_file_keeps_its_bytes()
    {
        var destination = temp.File("model.onnx");
        File.WriteAllBytes(destination, [1, 2, 3]);
        using var oldReader = File.OpenRead(destination);
        var tempPath = AtomicFile.CreateTempPathFor(destination);
        using (var stream = AtomicFile.OpenTemp(tempPath))
        {
            stream.Write([9, 8, 7, 6]);
        }

        Assert.Equal([1, 2, 3], File.ReadAllBytes(destination));
        AtomicFile.Publish(tempPath, destination);

        Assert.Equal([9, 8, 7, 6], File.ReadAllBytes(destination));
        Assert.False(File.Exists(tempPath));
        if (OperatingSystem.IsLinux())
        {
            // A rename swaps the directory entry: the reader opened before still sees the whole old file.
            var old = new byte[3];
            oldReader.ReadExactly(old);
            Assert.Equal([1, 2, 3], old);
        }
    }

    [Fact]
    public void A_write_that_stops_before_publish_leaves_the_destination_untouched_and_its_temporary_file_can_be_removed()
    {
        var destination = temp.File("model.onnx");
        File.WriteAllBytes(destination, [1, 2, 3]);
        var tempPath = AtomicFile.CreateTempPathFor(destination);

        void WriteHalfAndFail()
        {
            using var stream = AtomicFile.OpenTemp(tempPath);
            stream.Write(new byte[100_000]);
            throw new InvalidOperationException("the writer failed half way");
        }

        var crash = Assert.Throws<InvalidOperationException>(WriteHalfAndFail);
        AtomicFile.DeleteQuietly(tempPath);

        Assert.Equal("the writer failed half way", crash.Message);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(destination));
        Assert.Equal([destination], Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void A_temporary_file_is_never_opened_twice_and_deleting_a_missing_or_null_path_is_quiet()
    {
        var tempPath = AtomicFile.CreateTempPathFor(temp.File("model.onnx"));
        using (AtomicFile.OpenTemp(tempPath))
        {
        }

        Assert.Throws<IOException>(() => AtomicFile.OpenTemp(tempPath));
        AtomicFile.DeleteQuietly(tempPath);
        AtomicFile.DeleteQuietly(tempPath);
        AtomicFile.DeleteQuietly(null);
        Assert.False(File.Exists(tempPath));
    }
}
