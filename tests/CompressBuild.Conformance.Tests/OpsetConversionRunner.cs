using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Preprocessing;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Conformance.Tests;

/// <summary>
/// Converts one ONNX backend test model of opset below 13 to opset 13 with our converter and runs the result on
/// every data set, comparing with ONNX's expected outputs at the suite's tolerance (rtol 1e-3, atol 1e-7). The
/// original runs too, so a model ONNX Runtime already fails is told apart from one the conversion broke.
/// </summary>
internal static class OpsetConversionRunner
{
    public const int Target = 13;

    public static OpsetConversionCase? Run(ConformanceCase testCase)
    {
        var model = OnnxModelReader.Load(testCase.ModelPath);
        var from = model.OpsetVersion("");
        if (from >= Target)
        {
            return null;
        }

        OnnxModel converted;
        try
        {
            converted = OpsetConverter.Convert(model, Target).Model;
        }
        catch (CompressBuildException e)
        {
            return new(testCase.Suite, testCase.Name, from, OpsetConversionOutcome.NotConvertible, $"{e.Code.Id}: {e.Message}");
        }

        var graph = model.Graph;
        if (ConformanceCase.NonTensorValues(graph) is { Count: > 0 } nonTensor)
        {
            return new(testCase.Suite, testCase.Name, from, OpsetConversionOutcome.NonTensor, string.Join("; ", nonTensor));
        }

        if (Check(model, testCase) is { } originalProblem)
        {
            // ORT has no kernels for many opset-6 versions; the converted model may still be judged against the reference.
            string? convertedProblem;
            try
            {
                convertedProblem = Check(converted, testCase);
            }
            catch (Exception e) when (e is OrtException or CompressBuildException)
            {
                convertedProblem = FirstLine(e.Message);
            }

            return convertedProblem is null
                ? new(testCase.Suite, testCase.Name, from, OpsetConversionOutcome.Passed, "ONNX Runtime cannot run the original; the converted model matches the reference")
                : new(testCase.Suite, testCase.Name, from, OpsetConversionOutcome.OriginalFails, $"{originalProblem}; converted: {convertedProblem}");
        }

        try
        {
            return Check(converted, testCase) is { } problem
                ? new(testCase.Suite, testCase.Name, from, OpsetConversionOutcome.Mismatch, problem)
                : new(testCase.Suite, testCase.Name, from, OpsetConversionOutcome.Passed, null);
        }
        catch (Exception e) when (e is OrtException or CompressBuildException)
        {
            return new(testCase.Suite, testCase.Name, from, OpsetConversionOutcome.ConvertedRejected, FirstLine(e.Message));
        }
    }

    /// <summary>Null when the model runs and matches the reference on every data set; otherwise what went wrong. Throws when ORT refuses the model.</summary>
    private static string? Check(OnnxModel model, ConformanceCase testCase)
    {
        var graph = model.Graph;
        var outputNames = graph.Output.Select(o => o.Name).ToList();
        InferenceSession session;
        try
        {
            session = ModelSessions.Open(model, ConformanceRunner.SingleThreaded);
        }
        catch (Exception e) when (e is OrtException or CompressBuildException && model.OpsetVersion("") < Target)
        {
            return "ONNX Runtime refuses the original: " + FirstLine(e.Message);
        }

        using (session)
        {
            foreach (var dataSet in testCase.DataSets)
            {
                var inputs = ConformanceCase.ReadInputs(dataSet, graph);
                var expected = ConformanceCase.ReadExpectedOutputs(dataSet, graph);
                IReadOnlyList<HostTensor> actual;
                try
                {
                    actual = session.Run(inputs, outputNames);
                }
                catch (OrtException e) when (model.OpsetVersion("") < Target)
                {
                    return "ONNX Runtime fails running the original: " + FirstLine(e.Message);
                }

                for (var k = 0; k < expected.Count; k++)
                {
                    if (TensorComparer.Compare(expected[k], actual[k]) is { } difference)
                    {
                        return $"{dataSet.Name} output '{outputNames[k]}': {difference}";
                    }
                }
            }
        }

        return null;
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
