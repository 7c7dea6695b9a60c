using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Latency;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Engine.Tests.Quantization.Latency;

public sealed class WeightRangeTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder folder = new();

    [Fact]
    public void Reduced_range_puts_symmetric_s8_weights_on_the_7_bit_grid_within_half_a_step()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 4 * 64).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();

        var full = WeightQuantization.Quantize(values, [4, 64], 0, QuantType.S8, symmetric: true);
        var reduced = WeightQuantization.Quantize(values, [4, 64], 0, QuantType.S8, symmetric: true, reduceRange: true);

        Assert.Equal(127, full.Data.Max(b => Math.Abs((int)(sbyte)b)));
        Assert.Equal(64, reduced.Data.Max(b => Math.Abs((int)(sbyte)b)));
        for (var i = 0; i < values.Length; i++)
        {
            Assert.True(Math.Abs(reduced.Dequantized(i, 64) - values[i]) <= (reduced.Channels[i / 64].Scale / 2) + 1e-6, $"element {i}");
        }
    }

    [Fact]
    public void Vnni_detection_agrees_with_the_kernel_cpu_flags()
    {
        if (!File.Exists("/proc/cpuinfo") || !CpuFeatures.IsX86)
        {
            return; // Only Linux on x86 lists the flags; elsewhere there is nothing to compare with.
        }

        var flags = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags", StringComparison.Ordinal)).Split(' ');

        Assert.Equal(flags.Contains("avx512_vnni") || flags.Contains("avx_vnni"), CpuFeatures.HasVnni);
    }

    [RealModelFact(RealModels.PaddleOcrClassifier)]
    public void The_classifier_with_7_bit_weights_says_so_keeps_gptqs_weights_in_7_bits_too_and_keeps_a_cosine_of_0_95()
    {
        var original = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrClassifier));
        var calibration = OcrInputs.Render(folder.Path, "cls", 16, seed: 7, 48, 192);
        var evaluation = OcrInputs.Render(folder.Path, "cls", 8, seed: 11, 48, 192);
        var cosines = new Dictionary<bool, double>();
        foreach (var (reduce, rounding) in new[] { (false, WeightRounding.Nearest), (true, WeightRounding.Nearest), (true, WeightRounding.Gptq) })
        {
            var options = new QuantizationOptions { ReduceRange = reduce, LatencyAware = false, Rounding = rounding };
            var result = QuantizationPass.Run(original, new QuantizationRequest(options, calibration, 0, null, null)).Result;
            var dequantized = result.Model.Graph.Node.Where(n => n.OpType == "DequantizeLinear").Select(n => n.Input[0]).ToHashSet(StringComparer.Ordinal);
            var weights = result.Model.Graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Int8 && dequantized.Contains(t.Name)).ToList();
            Assert.NotEmpty(weights);
            var largest = weights.Max(t => t.RawData.Max(b => Math.Abs((int)(sbyte)b)));
            Assert.Equal(reduce ? WeightRange.ReducedLimit : 127, rounding == WeightRounding.Gptq ? Math.Max(largest, WeightRange.ReducedLimit) : largest);
            Assert.Equal(reduce, result.Advisories.Any(a => a.Code == "CB4018"));
            if (rounding == WeightRounding.Nearest)
            {
                cosines[reduce] = FirstOutput.Compare(original, result.Model, evaluation).Cosine;
            }
        }

        output.WriteLine($"cosine 8-bit weights {cosines[false]:0.0000}, 7-bit {cosines[true]:0.0000}");
        // Measured 0.9989 with 8-bit and 0.9705 with 7-bit weights at nearest rounding; the default held-out rounding recovers it (SaturationChoice).
        Assert.True(cosines[true] >= 0.95, $"7-bit cosine {cosines[true]}");
    }

    public void Dispose() => folder.Dispose();
}
