using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Pruning.Structured;

/// <summary>The PP-OCRv4 text detector pruned 25% by channels, on rendered text images (python3-pil, DejaVu fonts, fixed seed).</summary>
public class DetectorReconstructionTests(ITestOutputHelper output)
{
    private const string Render = """
        import random, struct, sys
        from PIL import Image, ImageDraw, ImageFont
        path, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        random.seed(seed)
        words = "invoice total amount due date paid receipt number customer address phone order quantity price tax subtotal".split()
        fonts = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"]
        mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
        values = []
        for i in range(count):
            img = Image.new("RGB", (320, 320), tuple(random.randint(200, 255) for _ in range(3)))
            d = ImageDraw.Draw(img)
            y = random.randint(5, 20)
            while y < 290:
                f = ImageFont.truetype(random.choice(fonts), random.randint(14, 26))
                text = " ".join(random.choice(words) for _ in range(random.randint(1, 4)))
                d.text((random.randint(5, 60), y), text, fill=tuple(random.randint(0, 80) for _ in range(3)), font=f)
                y += random.randint(28, 50)
            px = img.load()
            for c, ch in enumerate([2, 1, 0]):
                for yy in range(320):
                    for xx in range(320):
                        values.append((px[xx, yy][ch] / 255.0 - mean[c]) / std[c])
        header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, 3, 320, 320), }" % count
        header = header + " " * (64 - (len(header) + 11) % 64) + "\n"
        with open(path, "wb") as f:
            f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
            f.write(struct.pack("<%df" % len(values), *values))
        """;

    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void Channel_25_percent_with_reconstruction_keeps_the_detector_map_above_cosine_0_95()
    {
        using var temp = new TempFolder();
        var calibration = temp.File("calib.npy");
        var test = temp.File("test.npy");
        foreach (var (path, count, seed) in new[] { (calibration, 32, 7), (test, 4, 11) })
        {
            var (exitCode, text) = DebianPython.Run(Render, path, count.ToString(System.Globalization.CultureInfo.InvariantCulture), seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(exitCode == 0, text);
        }

        var original = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrDetector));
        var settings = new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.25, Importance = ChannelImportance.Activation, CalibrationData = calibration };

        var plain = ModelPruner.Run(original, settings with { Reconstruct = false });
        var rebuilt = ModelPruner.Run(original, settings);

        var before = Cosine(original, plain.Model, test);
        var after = Cosine(original, rebuilt.Model, test);
        var timing = rebuilt.Reconstruction;
        output.WriteLine($"ppocr-det channel 25%: parameters {rebuilt.ParametersBefore} -> {rebuilt.ParametersAfter}; cosine mean folding only {before:F4}, reconstructed {after:F4}; "
            + $"{timing.Layers} layers, {timing.Passes} passes, capture {timing.Capture.TotalSeconds:F1} s, solves {timing.Solve.TotalSeconds:F1} s");
        Assert.True(rebuilt.ParametersAfter < rebuilt.ParametersBefore * 0.7);
        Assert.True(after >= 0.95, $"cosine {after:F4}");
        Assert.True(after > before, $"{before:F4} -> {after:F4}");
    }

    private static double Cosine(OnnxModel original, OnnxModel pruned, string data)
    {
        using var reference = ModelSessions.Open(original);
        using var candidate = ModelSessions.Open(pruned);
        return ModelComparison.Run(reference, candidate, DatasetLoader.Open(data, reference.Inputs), null).Outputs[0].Cosine;
    }
}
