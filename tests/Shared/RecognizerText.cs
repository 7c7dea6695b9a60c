using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Testing;

/// <summary>
/// A CTC recognizer's character accuracy on rendered lines (<see cref="OcrInputs"/> writes their text beside the .npy), shared by the
/// recognizer tests and benchmarks: greedy decoding of the first output, scored against the truth lines.
/// </summary>
public static class RecognizerText
{
    /// <summary>Character accuracy of <paramref name="model"/>'s decoded lines against <paramref name="truth"/>.</summary>
    public static double Accuracy(OnnxModel model, string data, IReadOnlyList<string> truth, CtcGreedyDecoder decoder)
    {
        using var session = ModelSessions.Open(model);
        var dataset = DatasetLoader.Open(data, session.Inputs);
        var accuracy = new CharacterAccuracy();
        for (var i = 0; i < dataset.Count; i++)
        {
            accuracy.Add(decoder.Decode(session.Run(dataset.Sample(i))[0].AsSpan<float>()), truth[i]);
        }

        return accuracy.Value;
    }

    /// <summary>The truth lines <see cref="OcrInputs"/> wrote beside <paramref name="data"/>.</summary>
    public static string[] Truth(string data) => File.ReadAllLines(Path.ChangeExtension(data, ".txt"));
}
