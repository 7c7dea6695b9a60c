using System.Globalization;
using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Evaluation;

namespace CompressBuild.Benchmarks.Verification;

/// <summary>
/// How stable the verify speedup is run to run: each fixture model is verified against itself N times (the true
/// speedup is exactly 1), and the spread of the estimates and of the interval widths is printed. A speedup
/// budget of 1.0 would have failed a run only if its whole interval lay below 1 - tolerance.
/// </summary>
internal static class SpeedupStabilityBenchmark
{
    private static readonly (string Model, string Data)[] Pairs = [("mlp.onnx", "test_x_flat.npy"), ("cnn_residual.onnx", "test_x_img.npy")];

    public static int Run(string digits, int runs, double maxSeconds, int threads, TextWriter output)
    {
        var tolerance = new BudgetSet().SpeedupTolerance;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{runs} runs per model, --max-time {maxSeconds} s, {threads} intra-op thread(s), machine {MachineProbe.Current.Id} ({MachineProbe.Current.CpuModel}, {MachineProbe.Current.Cores} " +
            $"cores)"));
        output.WriteLine("| model | median latency | speedup min | speedup max | spread | CI width mean | CI width max | pairs (min-max) | time-capped | CI wholly below 1.0 | would fail 1.0x |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (model, data) in Pairs)
        {
            var path = Path.Combine(digits, model);
            var results = new List<LatencyComparison>();
            for (var i = 0; i < runs; i++)
            {
                var result = Engine.Verification.Verifier.Run(new VerificationRequest(path, path, Path.Combine(digits, data))
                {
                    Limit = 16,
                    Threads = threads,
                    Latency = new LatencyOptions { MaxTime = TimeSpan.FromSeconds(maxSeconds) },
                });
                results.Add(result.Latency!);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"<!-- {model} run {i + 1}: {result.Latency!.Speedup.Ratio:0.0000}x [{result.Latency.Speedup.Low:0.0000}, {result.Latency.Speedup.High:0.0000}] {result.Latency.Pairs} pairs " +
                        $"{result.Latency.Seconds:0.00} s -->"));
            }

            var ratios = results.Select(r => r.Speedup.Ratio).ToList();
            var widths = results.Select(r => r.Speedup.High - r.Speedup.Low).ToList();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {model} | {results.Average(r => r.Reference.MedianMs):0.0000} ms | {ratios.Min():0.000}x | {ratios.Max():0.000}x | {(ratios.Max() - ratios.Min()) * 100:0.0}% | " +
                    $"{widths.Average() * 100:0.0}% | {widths.Max() * 100:0.0}% | {results.Min(r => r.Pairs)}-{results.Max(r => r.Pairs)} | {results.Count(r => r.ReachedTimeCap)}/{runs} | " +
                    $"{results.Count(r => r.Speedup.High < 1)}/{runs} | {results.Count(r => r.Speedup.High < 1 - tolerance)}/{runs} |"));
        }

        return 0;
    }
}
