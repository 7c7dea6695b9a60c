using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Conformance.Tests;

/// <summary>
/// Takes one <see cref="ConformanceCase"/> through our model I/O and our runtime binding and decides its column.
/// The original file and the round-tripped copy both run: the original's outputs are checked against ONNX's
/// reference, and the copy must agree with the original bit for bit, since a faithful round trip cannot change
/// what the runtime computes.
/// </summary>
internal sealed class ConformanceRunner(SessionSettings settings)
{
    /// <summary>One thread per session: the suite runs models in parallel instead, and single-threaded kernels are deterministic.</summary>
    public static SessionSettings SingleThreaded { get; } = new() { IntraOpThreads = 1, InterOpThreads = 1 };

    public CaseResult Run(ConformanceCase testCase, string scratchFolder)
    {
        ModelRoundTrip roundTrip;
        try
        {
            roundTrip = ModelRoundTrip.Run(testCase.ModelPath, scratchFolder);
        }
        catch (Exception e)
        {
            return new CaseResult(testCase.Suite, testCase.Name, ConformanceOutcome.IoFailure, "load/save: " + Describe(e), RoundTripEqual: false, ByteIdentical: false);
        }

        var result = new CaseResult(testCase.Suite, testCase.Name, ConformanceOutcome.Passed, null, roundTrip.Equal, roundTrip.ByteIdentical);
        if (!roundTrip.Equal)
        {
            return result with { Outcome = ConformanceOutcome.IoFailure, Detail = "the re-loaded copy's ModelProto differs from the original's" };
        }

        try
        {
            var graph = roundTrip.Original.Graph;
            var nonTensor = ConformanceCase.NonTensorValues(graph);
            if (nonTensor.Count > 0)
            {
                testCase.ParseAllDataFiles(graph);
                return result with { Outcome = ConformanceOutcome.NonTensor, Detail = string.Join("; ", nonTensor) };
            }

            return Execute(testCase, roundTrip.CopyPath, graph, result);
        }
        catch (OrtException e)
        {
            // Execute turns every refusal of the original into RuntimeRejected; one that gets here came from the copy.
            return result with { Outcome = ConformanceOutcome.IoFailure, Detail = "ORT runs the original but fails the round-tripped copy: " + Describe(e) };
        }
        catch (Exception e)
        {
            // Reading the test data or marshalling values failed: that is our code, never the runtime's verdict.
            return result with { Outcome = ConformanceOutcome.IoFailure, Detail = "test data or binding: " + Describe(e) };
        }
    }

    private CaseResult Execute(ConformanceCase testCase, string copyPath, GraphProto graph, CaseResult result)
    {
        var data = testCase.DataSets.Select(d => (d.Name, Inputs: ConformanceCase.ReadInputs(d, graph), Expected: ConformanceCase.ReadExpectedOutputs(d, graph))).ToList();
        var outputNames = graph.Output.Select(o => o.Name).ToList();

        InferenceSession original;
        try
        {
            original = InferenceSession.Create(testCase.ModelPath, settings);
        }
        catch (OrtException e)
        {
            return Rejected(result, e, "session", () => InferenceSession.Create(copyPath, settings).Dispose());
        }

        using (original)
        using (var copy = InferenceSession.Create(copyPath, settings))
        {
            string? mismatch = null;
            foreach (var (name, inputs, expected) in data)
            {
                IReadOnlyList<HostTensor> actual;
                try
                {
                    actual = original.Run(inputs, outputNames);
                }
                catch (OrtException e)
                {
                    return Rejected(result, e, name, () => copy.Run(inputs, outputNames));
                }

                var fromCopy = copy.Run(inputs, outputNames);
                if (FirstDifference(actual, fromCopy, TensorComparer.CompareBits) is { } copyDifference)
                {
                    // The copy may only differ if the model itself does from run to run (random operators).
                    if (FirstDifference(actual, original.Run(inputs, outputNames), TensorComparer.CompareBits) is null)
                    {
                        return result with { Outcome = ConformanceOutcome.IoFailure, Detail = $"{name}: the round-tripped copy computes different outputs: {copyDifference}" };
                    }

                    result = result with { Nondeterministic = true };
                }

                mismatch ??= FirstDifference(expected, actual, TensorComparer.Compare) is { } difference ? $"{name}: {difference}" : null;
            }

            return mismatch is null ? result : result with { Outcome = ConformanceOutcome.Mismatch, Detail = mismatch };
        }
    }

    /// <summary>
    /// ORT refused the original; the copy must be refused the same way, or the round trip changed the model in a
    /// way protobuf equality missed.
    /// </summary>
    private static CaseResult Rejected(CaseResult result, OrtException error, string stage, Action sameOnCopy)
    {
        try
        {
            sameOnCopy();
        }
        catch (OrtException copyError) when (copyError.ErrorCode == error.ErrorCode)
        {
            return result with { Outcome = ConformanceOutcome.RuntimeRejected, Detail = $"{stage}: {Describe(error)}" };
        }
        catch (OrtException copyError)
        {
            return result with { Outcome = ConformanceOutcome.IoFailure, Detail = $"{stage}: ORT fails the original with {error.ErrorCode} but the copy with {Describe(copyError)}" };
        }

        return result with { Outcome = ConformanceOutcome.IoFailure, Detail = $"{stage}: ORT accepts the round-tripped copy but not the original: {Describe(error)}" };
    }

    private static string? FirstDifference(IReadOnlyList<HostTensor> expected, IReadOnlyList<HostTensor> actual, Func<HostTensor, HostTensor, string?> compare)
    {
        if (expected.Count != actual.Count)
        {
            return $"expected {expected.Count} outputs, got {actual.Count}";
        }

        return expected.Zip(actual).Select(p => compare(p.First, p.Second)).FirstOrDefault(d => d is not null);
    }

    private static string Describe(Exception e)
    {
        var prefix = e is OrtException ort ? ort.ErrorCode.ToString() : e.GetType().Name;
        var message = e.Message.AsSpan().Trim();
        var end = message.IndexOfAny('\r', '\n');
        return prefix + ": " + (end < 0 ? message : message[..end]).ToString();
    }
}
