using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Weights;
using CompressBuild.Engine.Runtime;
using CompressBuild.Engine.Tests.Evaluation;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Quantization.Weights;

/// <summary>
/// <see cref="HeldOutReference"/>'s per-step agreement: an output that is a softmax at each of several steps (a CTC recognizer's
/// form) is scored by the share of steps whose most likely class stays the reference's; other outputs carry none.
/// </summary>
public sealed class HeldOutReferenceTests
{
    private const int Steps = 6;
    private const int Classes = 10;

    [Fact]
    public void A_softmax_per_step_output_is_scored_by_the_share_of_steps_whose_top_class_stays_the_references()
    {
        using var folder = new TempFolder();
        var values = Inputs(folder.File("x.npy"));
        var reference = Model(folder, "Softmax", [Steps, Classes], 0f);
        var shifted = Model(folder, "Softmax", [Steps, Classes], 0.5f);
        using var referenceSession = ModelSessions.Open(reference);
        using var shiftedSession = ModelSessions.Open(shifted);
        var check = DatasetLoader.Open(folder.File("x.npy"), referenceSession.Inputs);

        var scores = new HeldOutReference(referenceSession, check);

        // Class 0 raised by 0.5 before the softmax: the top class changes exactly where class 0 was within 0.5 of the maximum.
        var expected = Enumerable.Range(0, values.Length / Classes).Count(r => ArgMax(values.AsSpan(r * Classes, Classes), 0) == ArgMax(values.AsSpan(r * Classes, Classes), 0.5f));
        Assert.Equal(1.0, scores.Score(referenceSession).Agreement);
        var agreement = scores.Score(shiftedSession).Agreement;
        Assert.NotNull(agreement);
        Assert.Equal((double)expected / (values.Length / Classes), agreement.Value, 12);
        Assert.InRange(agreement.Value, 0.05, 0.95);
    }

    [Fact]
    public void Outputs_that_are_not_a_distribution_per_step_carry_no_agreement()
    {
        using var folder = new TempFolder();
        Inputs(folder.File("x.npy"));
        using var sigmoid = ModelSessions.Open(Model(folder, "Sigmoid", [Steps, Classes], 0f));
        var check = DatasetLoader.Open(folder.File("x.npy"), sigmoid.Inputs);
        var (cosine, agreement) = new HeldOutReference(sigmoid, check).Score(sigmoid);

        Assert.Equal(1.0, cosine, 6);
        Assert.Null(agreement);
    }

    private static float[] Inputs(string path)
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 4 * Steps * Classes).Select(_ => (float)(random.NextDouble() * 2)).ToArray();
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, NpyBytes.Create("<f4", $"(4, {Steps}, {Classes})", bytes));
        return values;
    }

    /// <summary><paramref name="op"/> (Softmax or Sigmoid) over the input with <paramref name="shift"/> added to class 0 first.</summary>
    private static OnnxModel Model(TempFolder folder, string op, int[] shape, float shift)
    {
        var proto = TestModels.Empty(13);
        proto.Graph.Initializer.Add(TensorData.FromArray<float>("b", [Classes], [shift, .. new float[Classes - 1]]));
        proto.Graph.Node.Add(TestModels.Node("Add", ["x", "b"], ["z"]));
        proto.Graph.Node.Add(TestModels.Node(op, ["z"], ["y"]));
        proto.Graph.Input.Add(TestModels.Tensor("x", TensorProto.Types.DataType.Float, "n", shape[0], shape[1]));
        proto.Graph.Output.Add(TestModels.Tensor("y", TensorProto.Types.DataType.Float, "n", shape[0], shape[1]));
        return new OnnxModel(proto, folder.Path, null);
    }

    private static int ArgMax(ReadOnlySpan<float> row, float shift)
    {
        var (best, top) = (0, row[0] + shift);
        for (var i = 1; i < row.Length; i++)
        {
            (best, top) = row[i] > top ? (i, row[i]) : (best, top);
        }

        return best;
    }
}
