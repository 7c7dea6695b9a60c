using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Testing;

/// <summary>
/// Realistic audio for Silero VAD (tests/models/vad_audio.py: espeak-ng speech between silence and noise, 16 kHz,
/// fixed seed) and the speech/non-speech decisions of a VAD model run over it frame by frame as Silero's own
/// wrapper does: 512 new samples behind the last 64 of the previous frame, the state carried from frame to frame,
/// threshold 0.5.
/// </summary>
internal static class VadAudio
{
    public const int Frame = 512;

    /// <summary>Silero's wrapper puts the previous frame's last 64 samples (at 16 kHz) in front of each frame.</summary>
    public const int Context = 64;

    public const float Threshold = 0.5f;

    /// <summary>Writes about <paramref name="seconds"/> of audio; returns the frames [N, 512] and the ground-truth label per frame (1 inside an utterance).</summary>
    public static (float[][] Frames, byte[] Labels) Render(string folder, double seconds, int seed)
    {
        var path = Path.Combine(folder, $"vad-{seconds}-{seed}.npy");
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        var run = ChildProcess.Run(DebianPython.Executable,
            [Path.Combine(RepositoryPaths.Root, "tests", "models", "vad_audio.py"), path, "--seconds", seconds.ToString(invariant), "--seed", seed.ToString(invariant)]);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"tests/models/vad_audio.py failed (needs espeak-ng and python3-numpy, installed by tests/test.sh): {run.StandardError}");
        }

        var audio = NpyFile.Open(path);
        var frames = new float[audio.SampleCount][];
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i] = audio.ReadSample("input", i).AsSpan<float>().ToArray();
        }

        var labels = NpyFile.Open(path[..^4] + "_labels.npy").ReadSamples("labels", 0, frames.Length).Data;
        return (frames, labels);
    }

    /// <summary>The model's speech probability for every frame, one stream (batch 1) at 16 kHz, on one thread.</summary>
    public static float[] Probabilities(string modelPath, float[][] frames)
    {
        using var session = ModelSessions.Open(modelPath, new SessionSettings { IntraOpThreads = 1, InterOpThreads = 1 });
        var stateName = session.Outputs[1].Name;
        var state = HostTensor.Zeros("state", (int)Engine.Onnx.Proto.TensorProto.Types.DataType.Float, [2, 1, 128]);
        var sampleRate = HostTensor.FromArray<long>("sr", [], [16000]);
        var window = new float[Context + Frame];
        var probabilities = new float[frames.Length];
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i].CopyTo(window, Context);
            var outputs = session.Run([HostTensor.FromArray<float>("input", [1, window.Length], window), state, sampleRate], [session.Outputs[0].Name, stateName]);
            probabilities[i] = outputs[0].AsSpan<float>()[0];
            state = HostTensor.FromBytes("state", outputs[1].ElementType, outputs[1].Shape, outputs[1].Data);
            window.AsSpan(Frame, Context).CopyTo(window);
        }

        return probabilities;
    }

    /// <summary>
    /// Calibration data for int8-static: every <paramref name="every"/>-th frame of <paramref name="frames"/> with its 64-sample context and the
    /// state the float model carries into it (as Silero's wrapper feeds a stream), at 16 kHz, written as ONNX test_data_set_N folders
    /// (the state's batch axis is its second, so the inputs cannot be stacked on the first axis of an .npz). Returns the folder.
    /// </summary>
    public static string WriteCalibration(string modelPath, float[][] frames, string folder, int every)
    {
        Directory.CreateDirectory(folder);
        using var session = ModelSessions.Open(modelPath, new SessionSettings { IntraOpThreads = 1, InterOpThreads = 1 });
        var state = HostTensor.Zeros("state", (int)Engine.Onnx.Proto.TensorProto.Types.DataType.Float, [2, 1, 128]);
        var sampleRate = HostTensor.FromArray<long>("sr", [], [16000]);
        var window = new float[Context + Frame];
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i].CopyTo(window, Context);
            var input = HostTensor.FromArray<float>("input", [1, window.Length], window);
            if (i % every == 0)
            {
                var set = Directory.CreateDirectory(Path.Combine(folder, $"test_data_set_{i / every}")).FullName;
                HostTensor[] sample = [input, state, sampleRate];
                for (var k = 0; k < sample.Length; k++)
                {
                    File.WriteAllBytes(Path.Combine(set, $"input_{k}.pb"), Google.Protobuf.MessageExtensions.ToByteArray(sample[k].ToProto()));
                }
            }

            var outputs = session.Run([input, state, sampleRate], [session.Outputs[0].Name, session.Outputs[1].Name]);
            state = HostTensor.FromBytes("state", outputs[1].ElementType, outputs[1].Shape, outputs[1].Data);
            window.AsSpan(Frame, Context).CopyTo(window);
        }

        return folder;
    }
}
