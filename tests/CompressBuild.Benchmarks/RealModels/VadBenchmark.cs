using System.Diagnostics;
using System.Globalization;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;

namespace CompressBuild.Benchmarks.RealModels;

/// <summary>
/// Silero VAD (Conv and LSTM inside If branches) quantized in every mode (int8-static calibrated on other speech) and
/// magnitude-pruned at 30% and 50%, then run over
/// espeak-ng speech between pauses (tests/models/vad_audio.py) frame by frame as Silero does: size ratio, agreement
/// of the speech/non-speech decisions (threshold 0.5) with the float model, the float model's share of spoken
/// frames found (the data's sanity), and the time of a whole pass over the stream, float against quantized in
/// alternating rounds (median ratio with its range). Timings are reported, never judged. silero-vad-loop (Silero's per-chunk
/// graph inside a Loop over time, tests/models/vad_loop.py) and silero-vad-scan (the same with a Scan) run 64 frames per call with its state and context carried
/// (<see cref="VadLoop"/>), calibrated on whole 64-frame segments.
/// </summary>
internal static class VadBenchmark
{
    private static readonly QuantizationMode[] Modes = [QuantizationMode.Int8Dynamic, QuantizationMode.Int8Weight, QuantizationMode.Int4Weight, QuantizationMode.Fp16,
        QuantizationMode.Int8Static];

    /// <summary>Magnitude sparsities measured beside the modes (global ranking over the Convs of both branches).</summary>
    private static readonly double[] Sparsities = [0.3, 0.5];

    /// <summary>Runs the table; empty <paramref name="models"/> or <paramref name="modes"/> mean all (a mode matches a row name's start).</summary>
    public static int Run(double seconds, int rounds, IReadOnlyList<string> models, IReadOnlyList<string> modes, TextWriter output)
    {
        using var folder = new Engine.IO.ScratchFolder("vad");
        var (frames, labels) = VadAudio.Render(folder.Path, seconds, seed: 7);
        output.WriteLine($"ONNX Runtime {InferenceSession.RuntimeVersion}, 1 intra-op thread, {Environment.ProcessorCount} cores (shared machine); " +
            $"{frames.Length} frames ({frames.Length * VadAudio.Frame / 16000.0:F1} s), {labels.Count(l => l == 1)} in utterances");
        output.WriteLine("| model | mode | size ratio | decision agreement | float finds speech / pauses | stream time vs fp32 [range] |");
        output.WriteLine("|---|---|---|---|---|---|");
        string[] all = [Testing.RealModels.SileroVad, Testing.RealModels.SileroVadOpset15, Testing.RealModels.SileroVadLoop, Testing.RealModels.SileroVadScan];
        foreach (var name in all.Where(n => models.Count == 0 || models.Contains(n)))
        {
            if (Testing.RealModels.Find(name) is not { } path)
            {
                output.WriteLine($"{name}: skipped, {Testing.RealModels.MissingReason(name)}");
                continue;
            }

            var loop = name is Testing.RealModels.SileroVadLoop or Testing.RealModels.SileroVadScan;
            Func<string, float[][], float[]> probabilities = loop ? VadLoop.Probabilities : VadAudio.Probabilities;
            var reference = probabilities(path, frames);
            var speech = reference.Select(p => p >= VadAudio.Threshold).ToArray();
            var found = Share(Enumerable.Range(0, frames.Length).Where(i => labels[i] == 1), speech);
            var falseAlarms = Share(Enumerable.Range(0, frames.Length).Where(i => labels[i] == 0), speech);
            // int8-static calibrates on other speech (another seed), every 4th frame (the Loop model: every 64-frame segment) with the
            // state the float model carries into it.
            var (calibrationFrames, _) = VadAudio.Render(folder.Path, 8, seed: 11);
            using var inputs = ModelSessions.Open(path);
            var calibrationFolder = Path.Combine(folder.Path, name + "-calibration");
            var calibration = Engine.Evaluation.DatasetLoader.Open(loop
                ? VadLoop.WriteCalibration(path, calibrationFrames, calibrationFolder, 1)
                : VadAudio.WriteCalibration(path, calibrationFrames, calibrationFolder, 4), inputs.Inputs);
            var variants = Modes.Select(mode => (Name: ModelQuantizer.ModeName(mode), Build: (Func<OnnxModel>)(() =>
                    ModelQuantizer.Quantize(OnnxModelReader.Load(path), new QuantizationOptions { Mode = mode }, mode == QuantizationMode.Int8Static ? calibration : null).Model)))
                .Concat(Sparsities.Select(sparsity => (Name: string.Create(CultureInfo.InvariantCulture, $"magnitude {sparsity:P0}"), Build: (Func<OnnxModel>)(() =>
                    Engine.Pruning.ModelPruner.Run(OnnxModelReader.Load(path), new Engine.Pruning.PruneSettings { Sparsity = sparsity }).Model))));
            foreach (var (mode, build) in variants.Where(v => modes.Count == 0 || modes.Any(m => v.Name.StartsWith(m, StringComparison.Ordinal))))
            {
                var saved = Path.Combine(folder.Path, $"{name}-{mode.Replace(' ', '-').Replace("%", "", StringComparison.Ordinal)}.onnx");
                OnnxModelWriter.Save(build(), saved, ModelSaveOptions.Default);
                var ratio = (double)new FileInfo(path).Length / new FileInfo(saved).Length;
                float[] candidate;
                try
                {
                    candidate = probabilities(saved, frames);
                }
                catch (Engine.Diagnostics.CompressBuildException e)
                {
                    output.WriteLine($"| {name} | {mode} | {ratio:F2}x | does not run: {e.Message.Split('\n')[0]} | | |");
                    continue;
                }

                var agreement = Share(Enumerable.Range(0, frames.Length), i => speech[i] == candidate[i] >= VadAudio.Threshold);
                var ratios = new List<double>();
                for (var round = 0; round < rounds; round++)
                {
                    var floatTime = Time(() => probabilities(path, frames));
                    var quantizedTime = Time(() => probabilities(saved, frames));
                    ratios.Add(floatTime / quantizedTime);
                }

                ratios.Sort();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {mode} | {ratio:F2}x | {agreement:P2} | {found:P1} / {falseAlarms:P1} | " +
                    $"{ratios[ratios.Count / 2]:F2}x [{ratios[0]:F2}, {ratios[^1]:F2}] |"));
            }
        }

        return 0;
    }

    private static double Share(IEnumerable<int> frames, bool[] speech) => Share(frames, i => speech[i]);

    private static double Share(IEnumerable<int> frames, Func<int, bool> counted)
    {
        var list = frames.ToList();
        return list.Count == 0 ? 0 : list.Count(counted) / (double)list.Count;
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }
}
