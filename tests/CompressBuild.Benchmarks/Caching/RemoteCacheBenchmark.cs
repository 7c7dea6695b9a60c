using System.Diagnostics;
using System.Globalization;
using CompressBuild.Benchmarks.ModelIo;
using CompressBuild.Benchmarks.Quantization;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Pipeline;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Testing;

namespace CompressBuild.Benchmarks.Caching;

/// <summary>
/// <c>remote-cache</c>: two CI "agents" share a remote cache (Azurite and s3rver on 127.0.0.1) and nothing else.
/// Agent 1 compresses a generated ~100 MB MLP (int8-static with calibration, verification with latency) and
/// uploads the result; agent 2, with an empty local cache, runs the same config and restores it. Prints each
/// run's wall time and the bytes moved. Both agents run in this process, one after the other.
/// </summary>
internal static class RemoteCacheBenchmark
{
    public static int Run(int width, int layers, TextWriter stdout)
    {
        using var folder = new ScratchFolder("remote-cache-bench");
        var model = folder.File("mlp.onnx");
        File.WriteAllBytes(model, Google.Protobuf.MessageExtensions.ToByteArray(SyntheticMlp.Build(width, layers, seed: 42)));
        var random = new Random(7);
        NpyWriter.Write(folder.File("calibration.npy"), [100, width], Enumerable.Range(0, 100 * width).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray());
        NpyWriter.Write(folder.File("evaluation.npy"), [50, width], Enumerable.Range(0, 50 * width).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray());
        File.WriteAllText(folder.File("compress.yaml"), """
            version: 1
            models:
              - path: mlp.onnx
                output: out/mlp.onnx
                passes:
                  - quantize: { mode: int8-static, calibration: { data: calibration.npy } }
                evaluation: { data: evaluation.npy }
                budgets: { min_cosine: 0.9 }
            """);
        var config = CompressConfigLoader.Load(folder.File("compress.yaml"));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model: {new FileInfo(model).Length / 1e6:0.0} MB ({layers} MatMul layers of {width}x{width}), int8-static, 100 calibration and 50 evaluation samples"));
        stdout.WriteLine("| store | agent | local cache | wall s | transfer | summary |");
        stdout.WriteLine("| --- | --- | --- | ---: | --- | --- |");
        foreach (var kind in Enum.GetValues<StorageEmulatorKind>())
        {
            if (StorageEmulator.MissingReason(kind) is { } reason)
            {
                stdout.WriteLine($"| {kind} | skipped: {reason} | | | | |");
                continue;
            }

            using var emulator = StorageEmulator.Start(kind);
            var url = emulator.CacheUrl("bench");
            Agent(config, emulator, url, folder.File($"{kind}-agent1"), "1 (computes, uploads)", stdout);
            Agent(config, emulator, url, folder.File($"{kind}-agent2"), "2 (restores)", stdout);
            Agent(config, emulator, url, folder.File($"{kind}-agent2"), "2 again", stdout);
        }

        return 0;
    }

    private static void Agent(CompressConfig config, StorageEmulator emulator, string url, string localCache, string agent, TextWriter stdout)
    {
        var environment = emulator.Environment();
        var transfers = new List<string>();
        var clock = Stopwatch.StartNew();
        var result = PipelineRunner.Run(config, new PipelineOptions
        {
            CacheDirectory = localCache,
            Cache = new CacheSettings(url, CacheMode.ReadWrite, environment.GetValueOrDefault(CacheSettings.EndpointVariable), null),
            CacheEnvironment = name => environment.GetValueOrDefault(name),
            Progress = e =>
            {
                if (e.Message.Contains("remote cache", StringComparison.Ordinal))
                {
                    transfers.Add(e.Message[(e.Message.LastIndexOf(": ", StringComparison.Ordinal) + 2)..]);
                }
            },
        });
        var seconds = clock.Elapsed.TotalSeconds;
        var model = result.Models[0];
        var summary = Engine.Pipeline.ModelSummaryText.For(model, config.Path);
        var state = Directory.Exists(localCache) && agent.EndsWith("again", StringComparison.Ordinal) ? "filled" : "empty";
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {emulator.Kind} | {agent} | {state} | {seconds:0.00} | {string.Join("; ", transfers.Where(t => t.Contains(" in ", StringComparison.Ordinal)))} | " +
            $"{summary[(summary.IndexOf(':', StringComparison.Ordinal) + 2)..]} |"));
        foreach (var warning in result.CacheWarnings)
        {
            stdout.WriteLine($"  warning {warning.Code}: {warning.Message}");
        }
    }
}
