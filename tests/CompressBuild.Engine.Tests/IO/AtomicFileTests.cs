using System.Collections.Concurrent;
using CompressBuild.Engine.IO;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.IO;

/// <summary>Real files in a temp folder: the temporary sibling, a publish over an existing file or only where none exists, and a write that never finishes.</summary>
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

    [Fact]
    public void Of_writers_racing_to_publish_one_new_file_exactly_one_succeeds_and_its_bytes_stand()
    {
        // Four threads released together per name. .NET's File.Move without overwrite (a look, then a rename) let more than one win
        // for 85 of 300 names, so 50 names catch a non-atomic publish on nearly every run; an atomic one never fails.
        const int Names = 50;
        const int Writers = 4;
        for (var n = 0; n < Names; n++)
        {
            var destination = temp.File($"manifest-{n}.json");
            var winners = new ConcurrentBag<int>();
            using var start = new Barrier(Writers);
            var threads = Enumerable.Range(0, Writers).Select(w => new Thread(() =>
            {
                var tempPath = AtomicFile.CreateTempPathFor(destination);
                File.WriteAllText(tempPath, $"writer {w}");
                start.SignalAndWait();
                if (AtomicFile.TryPublishNew(tempPath, destination))
                {
                    winners.Add(w);
                }

                AtomicFile.DeleteQuietly(tempPath);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            var winner = Assert.Single(winners);
            Assert.Equal($"writer {winner}", File.ReadAllText(destination));
        }

        Assert.Equal(Names, Directory.GetFiles(temp.Path).Length);
    }

    [Fact]
    public void Publishing_a_new_file_where_one_exists_is_refused_and_leaves_it_untouched()
    {
        var destination = temp.File("manifest.json");
        File.WriteAllText(destination, "the first");
        var tempPath = AtomicFile.CreateTempPathFor(destination);
        File.WriteAllText(tempPath, "a later one");

        var published = AtomicFile.TryPublishNew(tempPath, destination);

        Assert.False(published);
        Assert.Equal("the first", File.ReadAllText(destination));
        Assert.Equal("a later one", File.ReadAllText(tempPath));
    }
}
