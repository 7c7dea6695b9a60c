using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Tests;

/// <summary>How a compressed model's first output compares with the original's on a data file (the real-model tests' fidelity check).</summary>
internal static class FirstOutput
{
    public static OutputMetrics Compare(OnnxModel reference, OnnxModel candidate, string data)
    {
        using var a = ModelSessions.Open(reference);
        using var b = ModelSessions.Open(candidate);
        return ModelComparison.Run(a, b, DatasetLoader.Open(data, a.Inputs)).Outputs[0];
    }
}
