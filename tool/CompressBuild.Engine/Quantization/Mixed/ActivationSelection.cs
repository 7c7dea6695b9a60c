using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Mixed;

/// <summary>
/// <c>mixed_units: activations</c>: which activation Q/DQ pairs of an int8-static model to leave float, every weight staying
/// int8. Each pair's cost is measured directly, as fidelity-trace does: what the model gains against the float model on the
/// calibration data when that pair alone is float, everything else int8 (one switchable model and session,
/// <see cref="ActivationSwitches"/>, not a model per pair): the <see cref="GreedyPathScore"/> when an output is a probability
/// distribution (a classifier's or a CTC recognizer's softmax), the output cosine otherwise. Pairs are then left float greedily, the largest gain first,
/// until the cosine reaches the target (or the K largest with keep_float_top), and the result is timed against the float
/// model (1 thread, interleaved): while even the upper end of its speedup interval is below 1x, the float set is halved
/// from its least harmful end. The ranking and the choice depend on the data only; the speed check changes them only on a
/// machine where the chosen model is measurably slower than fp32.
/// </summary>
internal static class ActivationSelection
{
    /// <summary>Ranking and greedy search use at most this many calibration samples: each trial runs them all.</summary>
    public const int Samples = 8;

    private const double SpeedFloor = 1.0;

    public static ActivationChoice Run(OnnxModel model, QuantizationOptions options, Dataset calibration, Dictionary<string, ActivationHistogram> histograms,
        double? targetCosine, int? keepFloatTop)
    {
        var traced = ModelQuantizer.Quantize(model, options with { CompactGraph = false }, calibration, histograms);
        var switches = ActivationSwitches.Build(traced.Model);
        if (switches.Tensors.Count == 0)
        {
            return new ActivationChoice([], [], null, Signal: ActivationChoice.CosineSignal);
        }

        using var score = new SwitchedModelCosine(model, switches.Model, switches.Mask, calibration.Take(Samples), options.Session);
        double Cosine(IEnumerable<int> floatSwitches) => score.Of(floatSwitches);

        // Pairs are ranked by what the output's decisions lose where the output is a distribution (a softmax over classes), by cosine
        // elsewhere; the target stays a cosine. On the recognizer (mse, seed 7's lines) the 16 pairs the path picks lose 1.00 / 1.51
        // points on two held-out sets, cosine's 16 lose 1.49 / 1.76.
        var byPath = score.HasPath;
        double Rank(IEnumerable<int> floatSwitches) => byPath ? score.Scores(floatSwitches).Path : score.Of(floatSwitches);
        var (all, pathAll) = score.Scores([]);
        var start = byPath ? pathAll : all;
        var gains = Enumerable.Range(0, switches.Tensors.Count).Select(i => Rank([i]) - start).ToList();
        // Most harmful first; graph order breaks ties, so the order depends on nothing but the measurements.
        var order = Enumerable.Range(0, gains.Count).Where(i => gains[i] > 0).OrderByDescending(i => gains[i]).ThenBy(i => i).ToList();
        var count = keepFloatTop is { } k ? Math.Min(k, order.Count) : 0;
        var estimate = all;
        if (targetCosine is { } target)
        {
            while (estimate < target && count < order.Count)
            {
                count++;
                estimate = Cosine(order.Take(count));
            }
        }

        var wanted = count;
        var speed = count == 0 ? null : SpeedCheck(model, options, calibration, histograms, switches, order, ref count);
        var chosen = order.Take(count).ToHashSet();
        var pairs = Enumerable.Range(0, gains.Count).OrderByDescending(i => gains[i]).ThenBy(i => i)
            .Select(i => new MixedPrecisionActivation(switches.Tensors[i], switches.Producers[i], switches.Readers[i], gains[i], chosen.Contains(i))).ToList();
        return new ActivationChoice(pairs, order.Take(count).Select(i => switches.Tensors[i]).ToList(), speed, count < wanted,
            byPath ? ActivationChoice.PathSignal : ActivationChoice.CosineSignal);
    }

    /// <summary>
    /// Halves the float set from its least harmful end while the model it gives is measurably slower than fp32, unless the
    /// model with no activation float is slower too: then the float activations are not what makes it slow (CB4016 says so).
    /// </summary>
    private static SpeedupEstimate SpeedCheck(OnnxModel model, QuantizationOptions options, Dataset calibration, Dictionary<string, ActivationHistogram> histograms,
        ActivationSwitches switches, List<int> order, ref int count)
    {
        var settings = SessionSettings.Default with { IntraOpThreads = 1 };
        using var reference = ModelSessions.Open(model, settings);
        SpeedupEstimate Measure(int floatCount)
        {
            var floatSet = options with { FloatActivations = [.. options.FloatActivations, .. order.Take(floatCount).Select(i => switches.Tensors[i])] };
            var candidate = ModelQuantizer.Quantize(model, floatSet, calibration, histograms);
            using var session = ModelSessions.Open(candidate.Model, settings);
            return InterleavedLatency.Measure(reference, session, [calibration.Sample(0)],
                new LatencyOptions { Warmup = 5, MaxTime = TimeSpan.FromSeconds(3), MinTime = TimeSpan.FromSeconds(0.5), MinPairs = 20 }).Speedup;
        }

        var speed = Measure(count);
        if (speed.High >= SpeedFloor)
        {
            return speed;
        }

        var plain = Measure(0);
        if (plain.High < SpeedFloor)
        {
            return speed;
        }

        while (count > 0 && speed.High < SpeedFloor)
        {
            count /= 2;
            speed = count == 0 ? plain : Measure(count);
        }

        return speed;
    }
}
