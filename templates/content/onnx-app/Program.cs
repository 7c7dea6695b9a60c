#if (useOnnxRuntime)
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OnnxApp;
#else
using System.Text.Json;
#endif

// The build put the compressed model where the original was: Models/digits_mlp.onnx in the output folder.
var folder = AppContext.BaseDirectory;
var modelPath = Path.Combine(folder, "Models", "digits_mlp.onnx");
if (!File.Exists(modelPath))
{
    Console.Error.WriteLine($"{modelPath}: not found; build the project first (dotnet build).");
    return 1;
}

Console.WriteLine($"model: {modelPath} ({new FileInfo(modelPath).Length / 1024.0:0.0} KiB)");
#if (useOnnxRuntime)

// 497 held-out 8x8 digit images (64 pixels in [0,1]) and their labels, the data the build verified on.
var samples = NpyFile.ReadSingles(Path.Combine(folder, "Data", "test.npy"), out var shape);
var labels = NpyFile.ReadInt64s(Path.Combine(folder, "Data", "test_labels.npy"));
var width = (int)(samples.Length / shape[0]);

using var session = new InferenceSession(modelPath);
var inputName = session.InputMetadata.Keys.First();
var correct = 0;
for (var i = 0; i < labels.Length; i++)
{
    var input = new DenseTensor<float>(samples.AsMemory(i * width, width), [1, width]);
    using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, input)]);
    var logits = results.First().AsEnumerable<float>().ToArray();
    var predicted = Array.IndexOf(logits, logits.Max());
    if (predicted == labels[i])
    {
        correct++;
    }
}

Console.WriteLine($"classified {labels.Length} held-out digits: top-1 accuracy {100.0 * correct / labels.Length:0.00}%");
return 0;
#else

// The build's verification report (copied beside the model by the CopyCompressionReport target).
var reportPath = Path.Combine(folder, "Models", "digits_mlp.verify.json");
if (!File.Exists(reportPath))
{
    Console.WriteLine("no verification report beside the model (was CompressBuild disabled?)");
    return 0;
}

using var report = JsonDocument.Parse(File.ReadAllText(reportPath));
var root = report.RootElement;
var size = root.GetProperty("size");
Console.WriteLine($"verified: {(root.GetProperty("passed").GetBoolean() ? "every budget holds" : "a budget was missed")}");
Console.WriteLine($"size: {size.GetProperty("reference").GetProperty("bytes").GetInt64():N0} -> " +
    $"{size.GetProperty("candidate").GetProperty("bytes").GetInt64():N0} bytes ({size.GetProperty("ratio").GetDouble():0.0}x smaller)");
foreach (var output in root.GetProperty("outputs").EnumerateArray())
{
    if (output.TryGetProperty("accuracy", out var accuracy) && accuracy.ValueKind == JsonValueKind.Object)
    {
        Console.WriteLine($"top-1 accuracy on {root.GetProperty("data").GetProperty("samples").GetInt32()} held-out samples: " +
            $"{100 * accuracy.GetProperty("referenceTop1").GetDouble():0.00}% -> {100 * accuracy.GetProperty("candidateTop1").GetDouble():0.00}%");
    }
}

foreach (var check in root.GetProperty("checks").EnumerateArray())
{
    Console.WriteLine($"  {check.GetProperty("status").GetString(),-7} {check.GetProperty("name").GetString()}: {check.GetProperty("message").GetString()}");
}

return 0;
#endif
