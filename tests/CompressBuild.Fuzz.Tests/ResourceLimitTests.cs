using System.Diagnostics;
using System.IO.Compression;
using CompressBuild.Fuzz.Tests.Generators;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Fuzz.Tests;

/// <summary>
/// The memory and hang families, each in a child process of the built tool with a 1 GiB GC heap limit, its peak
/// resident memory sampled from /proc and a 60 s limit: a regression shows as a kill, an out-of-memory exit 1,
/// or a peak far above what a refusal needs, instead of taking the test host down with it.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class ResourceLimitTests : IDisposable
{
    private const long PeakLimitBytes = 1L << 30;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TempFolder temp = new();

    public ResourceLimitTests()
    {
        Seeds.Write(temp.File("m.onnx"), Seeds.TinyGemm());
        File.WriteAllBytes(temp.File("x.npy"), Seeds.Npy("<f4", "(3, 8)", new byte[96]));
    }

    public void Dispose() => temp.Dispose();

    /// <summary>A 1 MB archive whose one array inflates to 1 GiB.</summary>
    private string Bomb()
    {
        using var zip = ZipFile.Open(temp.File("bomb.npz"), ZipArchiveMode.Create);
        using var entry = zip.CreateEntry("x.npy", CompressionLevel.SmallestSize).Open();
        entry.Write(Seeds.Npy("<f4", "(3, 8)", new byte[96]));
        var zeros = new byte[1 << 20];
        for (var i = 0; i < 1024; i++)
        {
            entry.Write(zeros);
        }

        return temp.File("bomb.npz");
    }

    public static TheoryData<string> Cases =>
    [
        "run-dev-zero", "run-fifo-config", "verify-npz-bomb", "bench-npz-bomb", "verify-data-dev-zero", "verify-labels-dev-zero",
        "run-baseline-dev-zero", "convert-fifo-external-data", "bench-threads", "bench-huge-dim", "verify-npy-header-2gib",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_resource_attack_is_refused_in_bounded_time_and_memory(string name)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var args = Arrange(name);

        var (exit, stderr, peak, elapsed) = await RunChild(args);

        Assert.True(exit == 4, $"{name}: exit {exit} after {elapsed.TotalSeconds:0.0} s, peak {peak >> 20} MiB: {stderr}");
        Assert.Matches(@"error CB2\d{3}:", stderr);
        Assert.True(peak < PeakLimitBytes, $"{name}: peak resident memory {peak >> 20} MiB");
    }

    private string[] Arrange(string name)
    {
        string Model() => temp.File("m.onnx");
        switch (name)
        {
            case "run-dev-zero":
                return ["run", "/dev/zero"];
            case "run-fifo-config":
                SpecialFiles.Mkfifo(temp.File("compress.yaml"));
                return ["run", temp.File("compress.yaml")];
            case "verify-npz-bomb":
                return ["verify", Model(), "--reference", Model(), "--data", Bomb(), "--no-latency"];
            case "bench-npz-bomb":
                return ["bench", Model(), "--data", Bomb(), "--iterations", "1", "--warmup", "0"];
            case "verify-data-dev-zero":
                File.CreateSymbolicLink(temp.File("zero.npy"), "/dev/zero");
                return ["verify", Model(), "--reference", Model(), "--data", temp.File("zero.npy"), "--no-latency"];
            case "verify-labels-dev-zero":
                return ["verify", Model(), "--reference", Model(), "--data", temp.File("x.npy"), "--labels", "/dev/zero", "--no-latency"];
            case "run-baseline-dev-zero":
                File.WriteAllBytes(temp.File("labels.npy"), Seeds.Npy("<i8", "(3,)", new byte[24]));
                File.WriteAllText(temp.File("compress.yaml"),
                    "version: 1\nbaseline: /dev/zero\nmodels:\n  - path: m.onnx\n    output: out.onnx\n    passes: [quantize: { mode: int8-dynamic }]\n    evaluation: { data: x.npy }\n");
                return ["run", temp.File("compress.yaml"), "--no-cache"];
            case "convert-fifo-external-data":
                var model = Seeds.TinyGemm();
                model.Graph.Initializer[0].ClearRawData();
                new Engine.Onnx.ExternalDataReference("w.bin", 0, 128, null).WriteTo(model.Graph.Initializer[0]);
                Directory.CreateDirectory(temp.File("ext"));
                Seeds.Write(temp.File("ext/m.onnx"), model);
                SpecialFiles.Mkfifo(temp.File("ext/w.bin"));
                return ["convert", temp.File("ext/m.onnx"), "-o", temp.File("ext-out/m.onnx"), "--inline"];
            case "bench-threads":
                return ["bench", Model(), "--threads", "100000", "--iterations", "1", "--warmup", "0"];
            case "bench-huge-dim":
                return ["bench", Model(), "--dim", "batch=1099511627776", "--iterations", "1", "--warmup", "0"];
            default:
                var bytes = Seeds.Npy("<f4", "(3, 8)", new byte[96], version: 2);
                BitConverter.GetBytes(0x7FFFFFFFu).CopyTo(bytes, 8);
                File.WriteAllBytes(temp.File("big-header.npy"), bytes);
                return ["verify", Model(), "--reference", Model(), "--data", temp.File("big-header.npy"), "--no-latency"];
        }
    }

    private static async Task<(int Exit, string Error, long Peak, TimeSpan Elapsed)> RunChild(string[] args)
    {
        var options = new ChildOptions { Environment = new Dictionary<string, string?> { ["DOTNET_GCHeapHardLimit"] = "0x40000000" }, Timeout = Timeout };
        using var child = ChildProcess.Start(ChildProcess.Dotnet, [Path.Combine(AppContext.BaseDirectory, "dotnet-compress.dll"), .. args], options);
        var clock = Stopwatch.StartNew();
        long peak = 0;
        while (!child.Completion.IsCompleted)
        {
            peak = Math.Max(peak, ResidentBytes(child.Id));
            await Task.Delay(20);
        }

        var run = await child.Completion;
        return run.TimedOut
            ? (-1, $"killed after {Timeout.TotalSeconds} s: {run.StandardError}", peak, clock.Elapsed)
            : (run.ExitCode, run.StandardError, peak, clock.Elapsed);
    }

    private static long ResidentBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
