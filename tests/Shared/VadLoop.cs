using CompressBuild.Engine.Runtime;

namespace CompressBuild.Testing;

/// <summary>
/// Runs <see cref="RealModels.SileroVadLoop"/> (Silero VAD's per-chunk graph inside a Loop over time) over a stream of
/// 512-sample frames as a streaming caller would: <see cref="Segment"/> frames per call, the LSTM state and the 64-sample
/// context the model returns carried into the next call, one stream (batch 1) at 16 kHz, threshold 0.5 as
/// <see cref="VadAudio"/>.
/// </summary>
internal static class VadLoop
{
    /// <summary>Frames per call: 64 frames of 32 ms, about 2 s of audio.</summary>
    public const int Segment = 64;

    /// <summary>The model's speech probability for every frame, on one thread.</summary>
    public static float[] Probabilities(string modelPath, float[][] frames)
    {
        using var session = ModelSessions.Open(modelPath, new SessionSettings { IntraOpThreads = 1, InterOpThreads = 1 });
        var probabilities = new float[frames.Length];
        Stream(session, frames, (start, input, state, context, outputs) => outputs[0].AsSpan<float>().CopyTo(probabilities.AsSpan(start)));
        return probabilities;
    }

    /// <summary>
    /// Calibration data for int8-static: every <paramref name="every"/>-th segment of <paramref name="frames"/> with the state and context
    /// <paramref name="modelPath"/> carries into it, written as ONNX test_data_set_N folders (the state's batch axis is its second, so the
    /// inputs cannot be stacked on the first axis of an .npz). Returns the folder.
    /// </summary>
    public static string WriteCalibration(string modelPath, float[][] frames, string folder, int every)
    {
        Directory.CreateDirectory(folder);
        using var session = ModelSessions.Open(modelPath, new SessionSettings { IntraOpThreads = 1, InterOpThreads = 1 });
        Stream(session, frames, (start, input, state, context, _) =>
        {
            if (start / Segment % every == 0)
            {
                var set = Directory.CreateDirectory(Path.Combine(folder, $"test_data_set_{start / Segment / every}")).FullName;
                HostTensor[] sample = [input, state, context, SampleRate];
                for (var k = 0; k < sample.Length; k++)
                {
                    File.WriteAllBytes(Path.Combine(set, $"input_{k}.pb"), Google.Protobuf.MessageExtensions.ToByteArray(sample[k].ToProto()));
                }
            }
        });
        return folder;
    }

    /// <summary>
    /// The first <paramref name="count"/> whole segments of <paramref name="frames"/>, each as the start of a stream (state and context zero),
    /// written as ONNX test_data_set_N folders for <c>verify</c>-style comparison of every output (the returned state included). Returns the folder.
    /// </summary>
    public static string WriteSegments(float[][] frames, string folder, int count)
    {
        var floatType = (int)Engine.Onnx.Proto.TensorProto.Types.DataType.Float;
        for (var s = 0; s < count; s++)
        {
            var samples = new float[Segment * VadAudio.Frame];
            for (var i = 0; i < Segment; i++)
            {
                frames[(s * Segment) + i].CopyTo(samples, i * VadAudio.Frame);
            }

            HostTensor[] sample = [HostTensor.FromArray<float>("input", [Segment, 1, VadAudio.Frame], samples), HostTensor.Zeros("state", floatType, [2, 1, 128]),
                HostTensor.Zeros("context", floatType, [1, VadAudio.Context]), SampleRate];
            var set = Directory.CreateDirectory(Path.Combine(folder, $"test_data_set_{s}")).FullName;
            for (var k = 0; k < sample.Length; k++)
            {
                File.WriteAllBytes(Path.Combine(set, $"input_{k}.pb"), Google.Protobuf.MessageExtensions.ToByteArray(sample[k].ToProto()));
            }
        }

        return folder;
    }

    private static HostTensor SampleRate => HostTensor.FromArray<long>("sr", [], [16000]);

    private static void Stream(InferenceSession session, float[][] frames, Action<int, HostTensor, HostTensor, HostTensor, IReadOnlyList<HostTensor>> each)
    {
        var floatType = (int)Engine.Onnx.Proto.TensorProto.Types.DataType.Float;
        var state = HostTensor.Zeros("state", floatType, [2, 1, 128]);
        var context = HostTensor.Zeros("context", floatType, [1, VadAudio.Context]);
        for (var start = 0; start < frames.Length; start += Segment)
        {
            var count = Math.Min(Segment, frames.Length - start);
            var samples = new float[count * VadAudio.Frame];
            for (var i = 0; i < count; i++)
            {
                frames[start + i].CopyTo(samples, i * VadAudio.Frame);
            }

            var input = HostTensor.FromArray<float>("input", [count, 1, VadAudio.Frame], samples);
            var outputs = session.Run([input, state, context, SampleRate], ["output", "stateN", "contextN"]);
            each(start, input, state, context, outputs);
            state = HostTensor.FromBytes("state", outputs[1].ElementType, outputs[1].Shape, outputs[1].Data);
            context = HostTensor.FromBytes("context", outputs[2].ElementType, outputs[2].Shape, outputs[2].Data);
        }
    }
}
