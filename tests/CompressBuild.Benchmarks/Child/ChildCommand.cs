using System.Text.Json;
using CompressBuild.Benchmarks.Measurement;
using CompressBuild.Benchmarks.ModelIo;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Reporting;

namespace CompressBuild.Benchmarks.Child;

/// <summary>
/// <c>child &lt;scenario&gt; &lt;input&gt; &lt;output folder&gt;</c>: runs one scenario once in this fresh process and
/// prints one JSON line. A process per measurement keeps each peak (VmHWM) clean: nothing earlier in the same
/// process, no GC heap grown by a previous run, can inflate it.
/// </summary>
internal static class ChildCommand
{
    public static int Run(string scenarioId, string inputPath, string outputFolder, TextWriter stdout)
    {
        // First thing: what the runtime alone costs, so the report can tell it apart from the model's cost.
        var baseline = ProcessMemory.Read();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gen2Before = GC.CollectionCount(2);

        var scenario = Scenarios.Find(scenarioId);
        var times = ScenarioRunner.Run(scenario, inputPath, outputFolder);

        var end = ProcessMemory.Read();
        var measurement = new ChildMeasurement(
            scenario.Id,
            times.LoadMs,
            times.SaveMs,
            baseline.PeakBytes,
            baseline.ResidentBytes,
            end.PeakBytes,
            end.ResidentBytes,
            GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore,
            GC.CollectionCount(2) - gen2Before);
        stdout.WriteLine(JsonSerializer.Serialize(measurement, JsonFormat.Compact));
        return 0;
    }
}
