using System.Diagnostics;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Latency;

/// <summary>
/// Runs a model on one input with ONNX Runtime's profiler on (1 intra-op thread, the setting the speed ratios are
/// quoted for) and returns each kernel's median time. The profile file lives in a scratch folder that is removed.
/// </summary>
public static class ModelProfiler
{
    /// <summary>Runs at least this many times and for at least <see cref="MinTime"/>, at most <see cref="MaxRuns"/>.</summary>
    public const int MinRuns = 40;

    public const int MaxRuns = 400;

    public static readonly TimeSpan MinTime = TimeSpan.FromSeconds(0.4);

    public static IReadOnlyList<NodeTiming> Profile(OnnxModel model, IReadOnlyList<HostTensor> inputs, SessionSettings settings)
    {
        using var folder = new ScratchFolder("profile");
        string file;
        using (var session = ModelSessions.Open(model, settings with { IntraOpThreads = 1, ProfilePrefix = folder.File("ort") }))
        {
            var clock = Stopwatch.StartNew();
            for (var run = 0; run < MaxRuns && (run < MinRuns || clock.Elapsed < MinTime); run++)
            {
                Diagnostics.Deadline.ThrowIfExpired();
                session.Run(inputs);
            }

            file = session.EndProfiling();
        }

        return OrtProfileReader.Read(file);
    }
}
