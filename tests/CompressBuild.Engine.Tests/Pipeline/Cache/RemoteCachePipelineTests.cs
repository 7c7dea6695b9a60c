using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Reporting;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Cache;

/// <summary>
/// Whole pipeline runs (real quantization and verification of the digits MLP) on three "machines" that share one
/// remote cache and nothing else: each has its own empty local cache folder.
/// </summary>
public sealed class RemoteCachePipelineTests : IDisposable
{
    private readonly DigitsWorkspace temp = new(DigitsWorkspace.EvaluationFiles);

    public RemoteCachePipelineTests()
    {
        temp.WriteConfig("""
            version: 1
            models:
              - path: mlp.onnx
                name: dynamic
                output: out/dynamic.onnx
                passes:
                  - quantize: { mode: int8-dynamic }
                evaluation: { data: test_x_flat.npy, labels: test_labels.npy, limit: 100 }
                budgets: { max_accuracy_drop: 0.05 }
              - path: mlp.onnx
                name: half
                output: out/half.onnx
                passes:
                  - quantize: { mode: fp16 }
                evaluation: { data: test_x_flat.npy, labels: test_labels.npy, limit: 100 }
                budgets: { max_accuracy_drop: 0.05 }
            """);
    }

    public void Dispose() => temp.Dispose();

    [StorageEmulatorTheory]
    [InlineData(StorageEmulatorKind.Azurite)]
    [InlineData(StorageEmulatorKind.S3rver)]
    public void A_second_machine_restores_every_model_from_the_remote_and_a_remote_stopped_mid_run_costs_one_warning(StorageEmulatorKind kind)
    {
        using var emulator = StorageEmulator.Start(kind);
        var config = CompressConfigLoader.Load(temp.File("compress.yaml"));

        var first = Run(config, emulator, "machine-a");
        var second = Run(config, emulator, "machine-b");

        Assert.True(first.Result.Passed);
        Assert.All(first.Result.Models, m => Assert.Equal(0, m.CacheHits));
        Assert.Equal(2, first.Events.Count(e => e.Contains("uploaded to the remote cache", StringComparison.Ordinal)));
        Assert.True(second.Result.Passed);
        Assert.All(second.Result.Models, m => Assert.Equal(1, m.RemoteHits));
        Assert.All(second.Result.Models, m => Assert.EndsWith("from the remote cache", ModelSummaryText.For(m, config.Path), StringComparison.Ordinal));
        Assert.Contains(second.Events, e => e.StartsWith("remote cache hit for requested: ", StringComparison.Ordinal) && e.Contains("kB in", StringComparison.Ordinal));
        Assert.Empty(first.Result.CacheWarnings);
        Assert.Empty(second.Result.CacheWarnings);

        // Machine C: the remote serves the first model, then goes down; the second is computed here.
        File.Delete(temp.File("out/dynamic.onnx"));
        File.Delete(temp.File("out/half.onnx"));
        var third = Run(config, emulator, "machine-c", stopAfterFirstModel: true);

        Assert.True(third.Result.Passed);
        Assert.Equal(1, third.Result.Models[0].RemoteHits);
        Assert.Equal(0, third.Result.Models[1].CacheHits);
        Assert.True(File.Exists(temp.File("out/half.onnx")));
        var warning = Assert.Single(third.Result.CacheWarnings);
        Assert.Equal(DiagnosticCodes.RemoteCacheUnavailable, warning.Code);
    }

    private (PipelineResult Result, List<string> Events) Run(CompressConfig config, StorageEmulator emulator, string machine, bool stopAfterFirstModel = false)
    {
        var events = new List<string>();
        var environment = emulator.Environment();
        var result = PipelineRunner.Run(config, new PipelineOptions
        {
            CacheDirectory = temp.File(machine),
            Cache = new CacheSettings(emulator.CacheUrl("pipeline"), CacheMode.ReadWrite, environment.GetValueOrDefault(CacheSettings.EndpointVariable), null),
            CacheEnvironment = name => environment.GetValueOrDefault(name),
            CacheLimits = RemoteCacheTests.TestLimits,
            Progress = e =>
            {
                events.Add(e.Message);
                if (stopAfterFirstModel && e.Kind == PipelineEventKind.Finished)
                {
                    emulator.Stop();
                }
            },
        });
        return (result, events);
    }
}
