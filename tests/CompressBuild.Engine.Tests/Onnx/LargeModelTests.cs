using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Google.Protobuf;
using Xunit;
using DataType = CompressBuild.Engine.Onnx.Proto.TensorProto.Types.DataType;

namespace CompressBuild.Engine.Tests.Onnx;

/// <summary>
/// A model past protobuf's 2 GiB limit: saved with external data on its own, loaded back, and run by ONNX
/// Runtime with the right values. Writes about 2.3 GiB to the temp folder, so it has its own category.
/// </summary>
[Trait("Category", "Large")]
public class LargeModelTests
{
    private const int Tensors = 3;
    private const int Elements = 200_000_000; // 800 MB of float32 each, 2.4 GB in all

    [Fact]
    public void A_model_over_2_GiB_is_saved_with_external_data_and_runs()
    {
        using var temp = new TempFolder();
        var result = SaveLargeModel(temp);

        Assert.True(result.ExternalDataForcedBySize);
        Assert.Equal(Tensors, result.ExternalTensors);
        Assert.True(result.ModelBytes < 1 << 20);
        Assert.Equal(((long)Tensors * Elements * sizeof(float)) + (2 * ((1 << 16) - ((Elements * sizeof(float)) % (1 << 16)))), result.DataBytes);

        var loaded = OnnxModelReader.Load(temp.File("big.onnx"));
        Assert.All(loaded.Graph.Initializer, t => Assert.True(ExternalDataReference.IsExternal(t)));

        using var session = InferenceSession.Create(temp.File("big.onnx"));
        long[] indices = [0, 999_999, 123_456_789, Elements - 1];
        var outputs = session.Run([HostTensor.FromArray<long>("index", [4], indices)]);
        for (var t = 0; t < Tensors; t++)
        {
            Assert.Equal(indices.Select(i => (float)((t * 1_000_000) + (i % 1_000_000))), outputs[t].AsSpan<float>().ToArray());
        }
    }

    /// <summary>Builds and saves the model; its 2.4 GB of weights become garbage when this returns.</summary>
    private static ModelSaveResult SaveLargeModel(TempFolder temp)
    {
        var model = TestModels.Empty();
        model.Graph.Input.Add(TestModels.Tensor("index", DataType.Int64, 4));
        for (var t = 0; t < Tensors; t++)
        {
            // Element i of tensor t holds t * 1e6 + (i % 1e6): any element can be checked without keeping a copy.
            var bytes = GC.AllocateUninitializedArray<byte>(Elements * sizeof(float));
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (t * 1_000_000) + (i % 1_000_000);
            }

            model.Graph.Initializer.Add(new TensorProto { Name = $"w{t}", DataType = (int)DataType.Float, Dims = { Elements }, RawData = UnsafeByteOperations.UnsafeWrap(bytes) });
            model.Graph.Node.Add(TestModels.Node("Gather", [$"w{t}", "index"], [$"y{t}"]));
            model.Graph.Output.Add(TestModels.Tensor($"y{t}", DataType.Float, 4));
        }

        return OnnxModelWriter.Save(new OnnxModel(model, temp.Path), temp.File("big.onnx"));
    }
}
