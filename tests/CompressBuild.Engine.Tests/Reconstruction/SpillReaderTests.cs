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
        using (var writer = new SpillWriter(path))
        {
            for (var s = 0; s < 6; s++)
            {
                writer.Write([HostTensor.FromArray("x", [1, 4], Enumerable.Range(0, 4).Select(i => Value(s, i)).ToArray())]);
            }
        }

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
}
