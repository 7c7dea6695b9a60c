using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Preprocessing;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Preprocessing;

/// <summary>
/// The public PP-OCR models (opset 9 recognizer and classifier with Constant weights, opset 11 detector) raised
/// to opset 13 and 21 compute what they computed before on rendered text.
/// </summary>
public sealed class RealModelConversionTests(ITestOutputHelper output)
{
    [RealModelFact(RealModels.PaddleOcrRecognizer)]
    public void Recognizer_converted_to_13_and_21_keeps_its_outputs() => ConvertsUnchanged(RealModels.PaddleOcrRecognizer, Lines(320));

    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void Classifier_converted_to_13_and_21_keeps_its_outputs() => ConvertsUnchanged(RealModels.PaddleOcrClassifier, Lines(192));

    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Detector_converted_to_13_and_21_keeps_its_outputs() => ConvertsUnchanged(RealModels.PaddleOcrDetector, Pages(256, 320));

    /// <summary>Text lines as the recognizer (<paramref name="width"/> 320) and the classifier (192) read them: height 48, [-1, 1].</summary>
    internal static Func<string, HostTensor> Lines(int width) => name => Render(name, folder => OcrInputs.Render(folder, width == 192 ? "cls" : "rec", 3, seed: 11, width: width));

    internal static Func<string, HostTensor> Pages(int height, int width) => name => Render(name, folder => OcrInputs.Render(folder, "det", 3, seed: 11, height, width));

    private static HostTensor Render(string inputName, Func<string, string> render)
    {
        using var folder = new TempFolder();
        return NpyFile.Open(render(folder.Path)).ReadAll(inputName);
    }

    private void ConvertsUnchanged(string name, Func<string, HostTensor> input)
    {
        var model = OnnxModelReader.Load(RealModels.Path(name));
        var inputs = new[] { input(model.Graph.Input[0].Name) };
        var reference = ModelOutputsComparison.Run(model, inputs);
        foreach (var target in new[] { 13, 21 })
        {
            var converted = OpsetConverter.Convert(model, target);
            Assert.Equal(target, converted.Model.OpsetVersion(""));
            var (maxDiff, cosine) = ModelOutputsComparison.Compare(reference, ModelOutputsComparison.Run(converted.Model, inputs));
            output.WriteLine($"{name}: opset {converted.FromOpset} -> {target}, adapted {string.Join(", ", converted.AdaptedNodes.Select(kv => $"{kv.Key} {kv.Value}"))}; max |diff| {maxDiff:g3}, " +
                $"cosine {cosine:F7}");
            Assert.True(maxDiff < 1e-4, $"opset {target}: max |diff| {maxDiff}");
            Assert.True(cosine >= 0.9999, $"opset {target}: cosine {cosine}");
        }
    }
}
