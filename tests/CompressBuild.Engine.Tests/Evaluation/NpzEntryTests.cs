using System.IO.Compression;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Evaluation;

public class NpzEntryTests
{
    [Fact]
    public void An_array_over_the_in_memory_limit_is_read_sample_by_sample_from_an_unnamed_temporary_file_with_the_same_values()
    {
        using var temp = new TempFolder();
        var source = Path.Combine(RepositoryPaths.Digits, "calib_x_flat.npy");
        using (var zip = ZipFile.Open(temp.File("d.npz"), ZipArchiveMode.Create))
        {
            using var entry = zip.CreateEntry("input.npy", CompressionLevel.Optimal).Open();
            entry.Write(File.ReadAllBytes(source));
        }

        var spillsBefore = Directory.GetFiles(Path.GetTempPath(), "compressbuild-spill-*").Length;
        using var archive = ZipFile.OpenRead(temp.File("d.npz"));
        var spilled = NpyFile.Open("d.npz:input.npy", NpzEntry.Open(archive.Entries[0], "d.npz:input.npy", inMemoryBytes: 0));
        var plain = NpyFile.Open(source);

        Assert.Equal(plain.Shape, spilled.Shape);
        foreach (var i in new[] { 0, 1, 57, (int)plain.SampleCount - 1 })
        {
            Assert.Equal(plain.ReadSample("x", i).Data, spilled.ReadSample("x", i).Data);
        }

        // The file has no name from the start (unlinked on Unix), so nothing can be left in the temp folder.
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(spillsBefore, Directory.GetFiles(Path.GetTempPath(), "compressbuild-spill-*").Length);
        }
    }
}
