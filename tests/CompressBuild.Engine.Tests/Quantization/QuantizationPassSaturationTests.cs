using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Latency;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization;

/// <summary>
/// The pass answers a CPU whose u8 x s8 kernels can saturate (no VNNI) with saturation-safe weights (WeightRange), before anything is chosen on data:
/// the held-out rounding choice scores the candidates as they will ship, and the mixed-precision path gets the remedy too.
/// Digits cnn_residual, 16 calibration images; the CPU's answer is passed in, so both run on any machine.
/// </summary>
public sealed class QuantizationPassSaturationTests
{
    private static readonly OnnxModel Model = OnnxModelReader.Load(DigitsQuantization.Path("cnn_residual.onnx"));

    private static readonly QuantizationRequest Request = new(new QuantizationOptions(), DigitsQuantization.Path("calib_x_img.npy"), 16);

    [Fact]
    public void Without_VNNI_the_held_out_choice_scores_saturation_safe_candidates_and_the_model_ships_them()
    {
        var saturating = QuantizationPass.Run(Model, Request, u8s8CanSaturate: true).Result;
        var asked = QuantizationPass.Run(Model, Request with { Options = Request.Options with { ReduceRange = true } }, u8s8CanSaturate: false).Result;
        var vnni = QuantizationPass.Run(Model, Request, u8s8CanSaturate: false).Result;

        Assert.Contains(saturating.Advisories, a => a.Code == "CB4018");
        Assert.DoesNotContain(vnni.Advisories, a => a.Code == "CB4018");
        // The weights are those of an explicit reduce_range (7 bits, or pair-safe grids on Convs: WeightRangeTests), not the VNNI ones.
        Assert.Equal(WeightCodes(asked.Model), WeightCodes(saturating.Model));
        Assert.NotEqual(WeightCodes(vnni.Model), WeightCodes(saturating.Model));
        Assert.True(LargestWeightCode(vnni.Model) > WeightRange.ReducedLimit);
        Assert.Equal(QuantType.U8, ActivationType(saturating.Model));

        // The scores are those of saturation-safe candidates (as when reduce_range is asked), not of the 8-bit ones a VNNI CPU scores.
        var scores = saturating.RoundingChoice!.Candidates.Select(c => c.Cosine).ToList();
        Assert.Equal(asked.RoundingChoice!.Candidates.Select(c => c.Cosine), scores);
        Assert.NotEqual(vnni.RoundingChoice!.Candidates.Select(c => c.Cosine), scores);
    }

    [Fact]
    public void Without_VNNI_mixed_precision_also_ships_saturation_safe_weights_and_says_so()
    {
        var mixed = QuantizationPass.Run(Model, Request with { KeepFloatTop = 1 }, u8s8CanSaturate: true).Result;
        var asked = QuantizationPass.Run(Model, Request with { KeepFloatTop = 1, Options = Request.Options with { ReduceRange = true } }, u8s8CanSaturate: false).Result;

        Assert.Contains(mixed.Advisories, a => a.Code == "CB4018");
        Assert.Equal(WeightCodes(asked.Model), WeightCodes(mixed.Model));
    }

    /// <summary>The int8 weights' codes, by initializer name.</summary>
    private static SortedDictionary<string, string> WeightCodes(OnnxModel model) =>
        new(model.Graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Int8).ToDictionary(t => t.Name, t => t.RawData.ToBase64()),
            StringComparer.Ordinal);

    private static int LargestWeightCode(OnnxModel model)
    {
        var dequantized = model.Graph.Node.Where(n => n.OpType == "DequantizeLinear").Select(n => n.Input[0]).ToHashSet(StringComparer.Ordinal);
        return model.Graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Int8 && dequantized.Contains(t.Name))
            .Max(t => t.RawData.Max(b => Math.Abs((int)(sbyte)b)));
    }

    private static QuantType ActivationType(OnnxModel model)
    {
        var zeroPoints = model.Graph.Node.Where(n => n.OpType == "QuantizeLinear" && n.Input.Count > 2).Select(n => n.Input[2]).ToHashSet(StringComparer.Ordinal);
        var types = model.Graph.Initializer.Where(t => zeroPoints.Contains(t.Name)).Select(t => t.DataType).Distinct().ToList();
        return Assert.Single(types) == (int)TensorProto.Types.DataType.Uint8 ? QuantType.U8 : QuantType.S8;
    }
}
