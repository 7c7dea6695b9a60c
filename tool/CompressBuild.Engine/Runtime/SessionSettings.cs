using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Runtime;

/// <summary>How an inference session is created. Zero threads means ONNX Runtime's default.</summary>
public sealed record SessionSettings
{
    public static SessionSettings Default { get; } = new();

    /// <summary>More threads than this is a mistake, not a setting: ONNX Runtime would try to start them all.</summary>
    public const int MaxThreads = 1024;

    public int IntraOpThreads { get; init; }

    public int InterOpThreads { get; init; }

    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.All;

    /// <summary>Where ONNX Runtime writes the model after its graph optimizations, when set.</summary>
    public string? OptimizedModelPath { get; init; }

    /// <summary>
    /// When set, ONNX Runtime records every node's kernel time in a JSON profile whose file name starts with this
    /// path; <see cref="InferenceSession.EndProfiling"/> ends it and returns the file (latency-aware quantization reads it).
    /// </summary>
    public string? ProfilePrefix { get; init; }

    /// <summary>Values for symbolic dimensions (e.g. batch=1), so ONNX Runtime can plan fixed shapes.</summary>
    public IReadOnlyDictionary<string, long> FreeDimensions { get; init; } = new Dictionary<string, long>();

    /// <summary>
    /// Where the session runs. Null: the process-wide choice (<see cref="RuntimeDefaults.ExecutionProvider"/>, set
    /// from --execution-provider or compress.yaml's runtime section), CPU unless told otherwise.
    /// </summary>
    public ExecutionProvider? ExecutionProvider { get; init; }

    /// <summary>The provider this session really uses, after the process-wide default is applied.</summary>
    public ExecutionProvider EffectiveExecutionProvider => ExecutionProvider ?? RuntimeDefaults.ExecutionProvider;

    /// <summary>Refuses thread counts outside 0..<see cref="MaxThreads"/> (CB2018) before ONNX Runtime sees them.</summary>
    public void Validate()
    {
        foreach (var (count, option) in new[] { (IntraOpThreads, "threads"), (InterOpThreads, "inter-op threads") })
        {
            if (count is < 0 or > MaxThreads)
            {
                throw new CompressBuildException(DiagnosticCodes.ThreadCountInvalid, $"{option} {count} is out of range: give 0 (ONNX Runtime's default) up to {MaxThreads}.");
            }
        }
    }
}
