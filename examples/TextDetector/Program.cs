using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

// The model the build shipped: the compressed one, at the original's path in the output folder.
var folder = AppContext.BaseDirectory;
var modelPath = Path.Combine(folder, "Models", "ppocr-det.onnx");
var dataPath = Path.Combine(folder, "Data", "test.npy");

var model = OnnxModelReader.Load(modelPath);
var quantizers = model.Graph.Node.Count(n => n.OpType == "QuantizeLinear");
Console.WriteLine($"model: Models/ppocr-det.onnx, {new FileInfo(modelPath).Length:N0} bytes, {model.Graph.Node.Count} nodes ({quantizers} QuantizeLinear: {(quantizers > 0 ? "int8" : "float")})");

using var session = ModelSessions.Open(model, SessionSettings.Default with { IntraOpThreads = 1 });
var dataset = DatasetLoader.Open(dataPath, session.Inputs);

// DB post-processing in its simplest form: pixels whose text probability is above 0.3, per page.
for (var i = 0; i < dataset.Count; i++)
{
    var map = session.Run(dataset.Sample(i))[0];
    var probabilities = map.AsSpan<float>();
    var text = 0;
    foreach (var p in probabilities)
    {
        text += p > 0.3f ? 1 : 0;
    }

    Console.WriteLine($"page {i}: {100.0 * text / probabilities.Length:0.0}% of pixels are text (map {string.Join('x', map.Shape)})");
}

return 0;
