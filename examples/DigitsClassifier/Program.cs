using System.Numerics.Tensors;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

// The model the build shipped: the compressed one, at the original's path in the output folder.
var folder = AppContext.BaseDirectory;
var modelPath = Path.Combine(folder, "Models", "digits_cnn.onnx");
var dataPath = Path.Combine(folder, "Data", "test.npy");
var labelsPath = Path.Combine(folder, "Data", "test_labels.npy");

var model = OnnxModelReader.Load(modelPath);
var quantizers = model.Graph.Node.Count(n => n.OpType == "QuantizeLinear");
Console.WriteLine($"model: Models/digits_cnn.onnx, {new FileInfo(modelPath).Length:N0} bytes, {model.Graph.Node.Count} nodes ({quantizers} QuantizeLinear: {(quantizers > 0 ? "int8" : "float")})");

using var session = ModelSessions.Open(model);
var dataset = DatasetLoader.Open(dataPath, session.Inputs);
var labels = Labels.Load(labelsPath);
Labels.CheckCount(labels, dataset.Count, labelsPath, dataPath);

var correct = 0;
var perClass = new int[10];
var perClassCorrect = new int[10];
for (var i = 0; i < dataset.Count; i++)
{
    var logits = session.Run(dataset.Sample(i))[0].AsSpan<float>();
    var predicted = TensorPrimitives.IndexOfMax(logits);
    var truth = (int)labels[i];
    perClass[truth]++;
    if (predicted == truth)
    {
        correct++;
        perClassCorrect[truth]++;
    }
}

Console.WriteLine($"classified {dataset.Count} held-out digits on ONNX Runtime {InferenceSession.RuntimeVersion}: top-1 accuracy {100.0 * correct / dataset.Count:0.00}%");
Console.WriteLine("per digit: " + string.Join("  ", Enumerable.Range(0, 10).Select(d => $"{d}:{perClassCorrect[d]}/{perClass[d]}")));
return 0;
