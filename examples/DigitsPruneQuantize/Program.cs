using System.Numerics.Tensors;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

// The model the build shipped: pruned and quantized, at the original's path in the output folder.
var folder = AppContext.BaseDirectory;
var modelPath = Path.Combine(folder, "Models", "digits_mlp.onnx");
var dataPath = Path.Combine(folder, "Data", "test.npy");
var labelsPath = Path.Combine(folder, "Data", "test_labels.npy");

// The hidden widths show the pruning (the original is 64 -> 256 -> 128 -> 10); int8 weights show the quantization.
var model = OnnxModelReader.Load(modelPath);
var weights = model.Graph.Initializer.Where(t => t.Dims.Count == 2).Select(t => $"{t.Dims[0]}x{t.Dims[1]} {ElementType.Name(t.DataType)}");
Console.WriteLine($"model: Models/digits_mlp.onnx, {new FileInfo(modelPath).Length:N0} bytes; weight matrices: {string.Join(", ", weights)}");

using var session = ModelSessions.Open(model);
var dataset = DatasetLoader.Open(dataPath, session.Inputs);
var labels = Labels.Load(labelsPath);
Labels.CheckCount(labels, dataset.Count, labelsPath, dataPath);

var correct = 0;
for (var i = 0; i < dataset.Count; i++)
{
    if (TensorPrimitives.IndexOfMax(session.Run(dataset.Sample(i))[0].AsSpan<float>()) == labels[i])
    {
        correct++;
    }
}

Console.WriteLine($"classified {dataset.Count} held-out digits on ONNX Runtime {InferenceSession.RuntimeVersion}: top-1 accuracy {100.0 * correct / dataset.Count:0.00}%");
return 0;
