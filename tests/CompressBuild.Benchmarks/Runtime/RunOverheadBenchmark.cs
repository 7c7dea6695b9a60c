using System.Diagnostics;
using CompressBuild.Benchmarks.Measurement;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Benchmarks.Runtime;

/// <summary>
/// The cost of one ONNX Runtime call through the engine's runtime layer on the digits MLP (batch 1, one intra-op
/// thread): a bound run (inputs and outputs pre-bound, what latency measurement uses) and a plain
/// <see cref="InferenceSession.Run"/> (outputs allocated and copied). The model does ~50k multiply-adds, so the
/// figure is dominated by per-call overhead, which is what a change of binding can move. Besides wall time it reports
/// the process's CPU time per run, which preemption on a busy machine does not inflate (one intra-op thread: the
/// runs execute on the calling thread).
/// </summary>
internal static class RunOverheadBenchmark
{
    public static int Run(string fixtures, int iterations, int blocks, TextWriter output)
    {
        var model = Path.Combine(fixtures, "mlp.onnx");
        using var session = InferenceSession.Create(model, new SessionSettings { IntraOpThreads = 1, InterOpThreads = 1 });
        var input = session.Inputs[0];
        var shape = input.Shape.Select(d => d < 0 ? 1L : d).ToArray();
        var random = new Random(7);
        var values = new float[shape.Aggregate(1L, (a, d) => a * d)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        var inputs = new[] { HostTensor.FromArray<float>(input.Name, shape, values) };
        var outputs = session.Outputs.Select(o => HostTensor.Zeros(o.Name, o.ElementType, o.Shape.Select(d => d < 0 ? 1L : d).ToArray())).ToArray();
        using var bound = session.Bind(inputs, outputs);

        var boundMicros = new List<double>();
        var runMicros = new List<double>();
        var boundCpu = new List<double>();
        var runCpu = new List<double>();
        for (var warm = 0; warm < iterations; warm++)
        {
            bound.Invoke();
            session.Run(inputs);
        }

        // Blocks alternate between the two forms so machine noise hits both.
        for (var block = 0; block < blocks; block++)
        {
            var (wall, cpu) = Time(iterations, bound.Invoke);
            boundMicros.Add(wall);
            boundCpu.Add(cpu);
            (wall, cpu) = Time(iterations, () => session.Run(inputs));
            runMicros.Add(wall);
            runCpu.Add(cpu);
        }

        output.WriteLine($"ONNX Runtime {InferenceSession.RuntimeVersion} ({InferenceSession.RuntimeLibraryPath})");
        output.WriteLine($"digits MLP, batch 1, 1 thread, {blocks} blocks of {iterations} runs (median of block means)");
        output.WriteLine($"bound run (BoundRun.Invoke):  {Median.Of(boundMicros):F2} µs/run wall (min block {boundMicros.Min():F2}), {Median.Of(boundCpu):F2} µs/run CPU (min block " +
            $"{boundCpu.Min():F2})");
        output.WriteLine($"session.Run (allocating):     {Median.Of(runMicros):F2} µs/run wall (min block {runMicros.Min():F2}), {Median.Of(runCpu):F2} µs/run CPU (min block {runCpu.Min():F2})");
        return 0;
    }

    private static (double WallMicros, double CpuMicros) Time(int iterations, Action action)
    {
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            action();
        }

        var wall = watch.Elapsed.TotalMicroseconds / iterations;
        process.Refresh();
        return (wall, (process.TotalProcessorTime - cpuBefore).TotalMicroseconds / iterations);
    }
}
