using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Latency;
using CompressBuild.Engine.Runtime;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Latency;

public sealed class SmallMatMulNBitsWarningTests
{
    [Theory]
    [InlineData(QuantizationMode.Int4Weight)]
    [InlineData(QuantizationMode.Int8Weight)]
    public void The_digits_transformer_in_weight_only_modes_is_warned_about_before_verification(QuantizationMode mode)
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("transformer.onnx"));

        var result = QuantizationPass.Run(model, new QuantizationRequest(new QuantizationOptions { Mode = mode }, null, 0, null, null)).Result;

        var warning = Assert.Single(result.Advisories, a => a.Code == "CB4019");
        Assert.Contains("MatMulNBits", warning.Message, StringComparison.Ordinal);
        Assert.All(Subgraphs.AllNodes(result.Model.Graph).Where(n => n.OpType == "MatMulNBits"),
            n => Assert.True(n.Attribute.Single(a => a.Name == "K").I * n.Attribute.Single(a => a.Name == "N").I < SmallMatMulNBitsWarning.SmallWeights));
    }

    [Fact]
    public void Other_modes_and_other_providers_get_no_such_warning()
    {
        var model = OnnxModelReader.Load(DigitsQuantization.Path("transformer.onnx"));
        var int4 = new QuantizationOptions { Mode = QuantizationMode.Int4Weight };
        var result = ModelQuantizer.Quantize(model, int4);

        var cuda = int4 with { Session = SessionSettings.Default with { ExecutionProvider = ExecutionProvider.Cuda } };
        Assert.DoesNotContain(SmallMatMulNBitsWarning.Apply(result, cuda).Advisories, a => a.Code == "CB4019");
        var dynamic = new QuantizationOptions { Mode = QuantizationMode.Int8Dynamic };
        Assert.DoesNotContain(SmallMatMulNBitsWarning.Apply(ModelQuantizer.Quantize(model, dynamic), dynamic).Advisories, a => a.Code == "CB4019");
    }
}
