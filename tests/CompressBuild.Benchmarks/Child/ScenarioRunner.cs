using System.Diagnostics;
using CompressBuild.Benchmarks.ModelIo;
using CompressBuild.Engine.Onnx;

namespace CompressBuild.Benchmarks.Child;

/// <summary>The work each scenario times, run inside the child process.</summary>
internal static class ScenarioRunner
{
    // The external-data layout the benchmark asks for is ONNX's usual one: every tensor of 1 KiB or more moves out.
    private static readonly ModelSaveOptions External = new() { Layout = ExternalDataLayout.SingleFile, SizeThreshold = 1024 };
    private static readonly ModelSaveOptions Inline = new() { Layout = ExternalDataLayout.Inline };

    public static PhaseTimes Run(Scenario scenario, string inputPath, string outputFolder)
    {
        var output = Path.Combine(outputFolder, Scenario.OutputFileName);
        return scenario.Id switch
        {
            Scenarios.Load => Timed(() => OnnxModelReader.Load(inputPath), null),
            Scenarios.LoadSaveInline or Scenarios.LoadExternalSaveInline => Timed(() => OnnxModelReader.Load(inputPath), m => OnnxModelWriter.Save(m, output, Inline)),
            Scenarios.LoadSaveExternal => Timed(() => OnnxModelReader.Load(inputPath), m => OnnxModelWriter.Save(m, output, External)),
            Scenarios.RawRead => Timed(() => File.ReadAllBytes(inputPath), null),
            Scenarios.RawCopy => Timed(() => File.ReadAllBytes(inputPath), b => File.WriteAllBytes(output, b)),
            Scenarios.RawCopyFsync => Timed(() => File.ReadAllBytes(inputPath), b => WriteAndFlush(output, b)),
            _ => throw new ArgumentException($"Scenario '{scenario.Id}' has no runner.", nameof(scenario)),
        };
    }

    private static PhaseTimes Timed<T>(Func<T> load, Action<T>? save)
    {
        var clock = Stopwatch.StartNew();
        var loaded = load();
        var loadMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        save?.Invoke(loaded);
        var saveMs = save is null ? 0 : clock.Elapsed.TotalMilliseconds;
        GC.KeepAlive(loaded);
        return new PhaseTimes(loadMs, saveMs);
    }

    private static void WriteAndFlush(string path, byte[] bytes)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }
}
