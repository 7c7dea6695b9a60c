using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Latency;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Weights;

public sealed class WeightQuantizationTests
{
    /// <summary>
    /// The PP-OCRv4 recognizer's Conv 'p2o.Conv.22' [60, 240, 1, 1] has 7 output channels whose largest weight is below 127 times
    /// float's smallest normal (down to 3e-40): their scale would be subnormal and its reciprocal infinite. With reduce_range's pair-safe grids
    /// this once threw (NaN codes in the pair clamp); without it those channels coded to +-127 of a subnormal scale.
    /// </summary>
    [RealModelFact(RealModels.PaddleOcrRecognizer)]
    public void Channels_of_subnormal_weights_code_to_zero_on_scale_one_and_the_pair_safe_grids_keep_every_pair_in()
    {
        var model = OnnxModelReader.Load(RealModels.Path(RealModels.PaddleOcrRecognizer));
        var conv = model.Graph.Node.Single(n => n.Name == "p2o.Conv.22");
        var weight = model.Graph.Node.Single(n => n.OpType == "Constant" && n.Output[0] == conv.Input[1]).Attribute.Single(a => a.Name == "value").T;
        var values = TensorData.ToSingles(weight, model);
        var (channels, inputs) = (checked((int)weight.Dims[0]), checked((int)weight.Dims[1]));
        var tiny = Enumerable.Range(0, channels).Where(c => values.AsSpan(c * inputs, inputs).ToArray().Max(Math.Abs) < 127 * 1.1754944e-38f).ToList();
        Assert.Equal(7, tiny.Count);

        foreach (var reduce in new[] { false, true })
        {
            var coded = WeightQuantization.Quantize(values, weight.Dims, 0, QuantType.S8, symmetric: true, reduceRange: reduce, pairedInputs: reduce ? inputs : 0);

            Assert.All(tiny, c => Assert.Equal(1f, coded.Channels[c].Scale));
            Assert.All(tiny, c => Assert.All(coded.Data.AsSpan(c * inputs, inputs).ToArray(), b => Assert.Equal(0, b)));
            if (reduce)
            {
                // A 1x1 kernel's K order is the input channels: MLAS adds codes 2j and 2j + 1 of each output channel in one int16.
                for (var c = 0; c < channels; c++)
                {
                    for (var j = 0; j + 1 < inputs; j += 2)
                    {
                        int a = (sbyte)coded.Data[(c * inputs) + j], b = (sbyte)coded.Data[(c * inputs) + j + 1];
                        Assert.True(Math.Sign(a) != Math.Sign(b) || Math.Abs(a + b) <= WeightRange.PairLimit, $"channel {c}, pair {j}: {a} + {b}");
                    }
                }
            }
        }
    }
}
