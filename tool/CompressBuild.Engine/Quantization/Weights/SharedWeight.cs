using System.Security.Cryptography;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;
using Google.Protobuf;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>
/// Where a quantized copy of a weight goes when several bodies compute the same weight from one stored tensor
/// (Silero VAD runs one LSTM in four If branches: with and without a state, at 8 and 16 kHz): into the graph that
/// stores the float tensor, which every one of those bodies can read, under a name taken from the content, so the
/// second branch finds the first one's copy instead of carrying its own.
/// </summary>
internal sealed record SharedWeight(GraphEditor Editor, string Name, bool Exists)
{
    /// <param name="source">The stored float tensor the weight is computed from (see <see cref="ConstantChain.Fold"/>).</param>
    /// <param name="form">What distinguishes this quantized form of the same values (layout, granularity).</param>
    /// <param name="probe">The suffix of one initializer the form adds; when it is there, the copy exists.</param>
    public static SharedWeight For(GraphEditor editor, QuantizationContext context, TensorProto weight, string source, string form, string probe)
    {
        var copy = weight.Clone();
        copy.Name = form;
        var key = Convert.ToHexStringLower(SHA256.HashData(copy.ToByteArray()))[..12];
        var owner = Subgraphs.Graphs(context.Model.Graph).FirstOrDefault(g => g.Initializer.Any(i => i.Name == source)) ?? editor.Graph;
        var name = $"{source}_{form}_{key}";
        var exists = owner.Initializer.Any(i => i.Name == name + probe);
        return new SharedWeight(ReferenceEquals(owner, editor.Graph) ? editor : new GraphEditor(owner), name, exists);
    }
}
