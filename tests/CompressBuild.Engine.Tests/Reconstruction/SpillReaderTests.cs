using CompressBuild.Engine.Reconstruction;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Reconstruction;

public class SpillReaderTests
{
    /// <summary>
    /// The capture still folds the boundary tensors of the samples in its window while the next one is read: those must keep their values, and
    /// an older sample's arrays are reused for the next read.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Reading_a_sample_leaves_the_kept_samples_before_it_whole_and_reuses_an_older_ones_arrays(int kept)
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "stage.bin");
        static float Value(int sample, int index) => (sample * 100) + index;
        Write(path, Enumerable.Range(0, 6).Select(s => HostTensor.FromArray("x", [1, 4], Enumerable.Range(0, 4).Select(i => Value(s, i)).ToArray())));

        using var reader = new SpillReader(path, ["x"], kept);
        var read = new List<HostTensor>();
        for (var s = 0; s < 6; s++)
        {
            read.Add(reader.Read()[0]);
            for (var back = 0; back <= Math.Min(kept, s); back++)
            {
                Assert.Equal(Enumerable.Range(0, 4).Select(i => Value(s - back, i)), read[s - back].AsSpan<float>().ToArray());
            }

            if (s > kept)
            {
                Assert.Same(read[s - kept - 1], read[s]);
            }
        }
    }

    /// <summary>A spill file out of step with the plan (here: a tensor's size) fails the read that meets it.</summary>
    [Fact]
    public void A_sample_out_of_step_with_the_plan_fails_the_read_that_meets_it()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "stage.bin");
        Write(path, [HostTensor.FromArray("x", [1, 4], new float[4]), HostTensor.FromArray("x", [1, 4], new float[4])]);
        var bytes = File.ReadAllBytes(path);
        // The second sample's size field: after the first sample (4 + 4 + 2 x 8 + 4 + 16 bytes) and the second one's type, rank and shape.
        BitConverter.TryWriteBytes(bytes.AsSpan(44 + 24), 15);
        File.WriteAllBytes(path, bytes);

        using var reader = new SpillReader(path, ["x"], kept: 1);
        Assert.Equal(new float[4], reader.Read()[0].AsSpan<float>().ToArray());
        var error = Assert.Throws<InvalidDataException>(() => reader.Read());
        Assert.Contains("out of step at tensor 'x'", error.Message, StringComparison.Ordinal);
    }

    private static void Write(string path, IEnumerable<HostTensor> samples)
    {
        using var writer = new SpillWriter(path);
        foreach (var sample in samples)
        {
            writer.Write(new StageValues([sample], [-1], null, layers: 0), [0]);
        }
    }
}
