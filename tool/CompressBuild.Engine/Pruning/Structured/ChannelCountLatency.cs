using System.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning.Structured.Latency;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// Times models that differ in their channel counts (the same model pruned at two round_to values) against each other on 1
/// intra-op thread (the setting speed ratios are quoted for), on the same inputs, in rotating order round after round so
/// drift on a shared machine hits each alike: <see cref="LatencyRounds"/>' rotation, on the wall clock with round_to auto's
/// limits. Returns each model's time per round.
/// </summary>
internal static class ChannelCountLatency
{
    private const int MaxRounds = 41;

    /// <summary>Each timed sample repeats a run until it lasts this long, so timer resolution does not matter.</summary>
    private const double MinSampleMs = 2;

    /// <summary>Rounds continue past the minimum until this much time, so small models still get enough samples.</summary>
    private const double MinTotalMs = 500;

    /// <param name="inputs">What every model is fed; null: seeded random values at the declared shapes, which must then be fixed.</param>
    public static IReadOnlyList<double>[] Measure(IReadOnlyList<OnnxModel> probes, IReadOnlyList<HostTensor>? inputs) =>
        LatencyRounds.Measure(probes, inputs, static () => Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency, MaxRounds, MinSampleMs, MinTotalMs);
}
