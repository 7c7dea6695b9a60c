using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Preprocessing;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Preprocessing;

/// <summary>
/// Pre-processing the public PP-OCR models (raised to opset 13 as int8-static does) folds what it claims to fold
/// and leaves their outputs on rendered text unchanged.
/// </summary>
public sealed class RealModelPreprocessingTests(ITestOutputHelper output)
{
    [RealModelFact(RealModels.PaddleOcrRecognizer)]
    public void Recognizer_preprocessed_promotes_its_constant_weights_and_keeps_its_outputs()
    {
        var result = PreprocessesUnchanged(RealModels.PaddleOcrRecognizer, RealModelConversionTests.Lines(320));
        Assert.True(result.ConstantsPromoted > 100, result.Describe());

        // ORT cannot infer the attention Softmax inputs' rank (a Reshape to a run-time shape); the sample run tells it.
        Assert.DoesNotContain(result.Model.Graph.Node, n => n.OpType == "Flatten");
        Assert.DoesNotContain(result.Model.Graph.Node, n => n.OpType == "Constant" && n.Attribute.Any(a => a.T is { Dims.Count: > 1 }));
    }

    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void Classifier_preprocessed_folds_every_batch_normalization_and_keeps_its_outputs()
    {
        var result = PreprocessesUnchanged(RealModels.PaddleOcrClassifier, RealModelConversionTests.Lines(192));
        Assert.True(result.BatchNormalizationsFolded > 0, result.Describe());
        Assert.DoesNotContain(result.Model.Graph.Node, n => n.OpType == "BatchNormalization");
    }

    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Detector_preprocessed_folds_its_batch_normalizations_and_keeps_its_outputs()
    {
        var result = PreprocessesUnchanged(RealModels.PaddleOcrDetector, RealModelConversionTests.Pages(256, 320));
        Assert.True(result.BatchNormalizationsFolded > 0, result.Describe());
        Assert.True(result.ShapesInferred > 0, result.Describe());
    }

    private PreprocessResult PreprocessesUnchanged(string name, Func<string, HostTensor> input)
    {
        var model = OnnxModelReader.Load(RealModels.Path(name));
        var before = model.Proto.Clone();
        var inputs = new[] { input(model.Graph.Input[0].Name) };
        var reference = ModelOutputsComparison.Run(model, inputs);
        var result = ModelPreprocessor.Run(model, PreprocessOptions.Default with { TargetOpset = 13, SampleInputs = [inputs[0]] });
        Assert.Equal(before, model.Proto);
        var (maxDiff, cosine) = ModelOutputsComparison.Compare(reference, ModelOutputsComparison.Run(result.Model, inputs));
        output.WriteLine($"{name}: {result.Describe()}; nodes {model.Graph.Node.Count} -> {result.Model.Graph.Node.Count}; max |diff| {maxDiff:g3}, cosine {cosine:F7}");
        foreach (var advisory in result.Advisories)
        {
            output.WriteLine($"  {advisory.Code}: {advisory.Message}");
        }

        Assert.True(maxDiff < 1e-3, $"max |diff| {maxDiff}");
        Assert.True(cosine >= 0.9999, $"cosine {cosine}");
        return result;
    }
}
