using CompressBuild.Engine.Quantization.Latency;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Latency;

public sealed class OrtProfileReaderTests
{
    [Fact]
    public void Each_node_gets_the_median_of_its_kernel_times_and_fences_and_session_events_are_ignored()
    {
        using var folder = new TempFolder();
        var path = folder.File("profile.json");
        File.WriteAllText(path, """
            [
              {"cat":"Session","pid":1,"tid":1,"dur":9000,"ts":1,"ph":"X","name":"model_run","args":{}},
              {"cat":"Node","pid":1,"tid":1,"dur":5,"ts":2,"ph":"X","name":"conv_fence_before","args":{"op_name":"Conv"}},
              {"cat":"Node","pid":1,"tid":1,"dur":10,"ts":3,"ph":"X","name":"conv_kernel_time","args":{"op_name":"Conv"}},
              {"cat":"Node","pid":1,"tid":1,"dur":400,"ts":4,"ph":"X","name":"conv_kernel_time","args":{"op_name":"Conv"}},
              {"cat":"Node","pid":1,"tid":1,"dur":12,"ts":5,"ph":"X","name":"conv_kernel_time","args":{"op_name":"Conv"}},
              {"cat":"Node","pid":1,"tid":1,"dur":3,"ts":6,"ph":"X","name":"add_kernel_time","args":{"op_name":"Add"}},
              {"cat":"Node","pid":1,"tid":1,"dur":5,"ts":7,"ph":"X","name":"add_kernel_time","args":{"op_name":"Add"}}
            ]
            """);

        var timings = OrtProfileReader.Read(path);

        // One pre-empted run (400 us) does not move the median; an even count averages the middle two.
        Assert.Equal([new NodeTiming("add", "Add", 4), new NodeTiming("conv", "Conv", 12)], timings);
        Assert.Equal(16, ProfileTotal.Microseconds(timings));
    }
}
