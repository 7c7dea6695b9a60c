using System.IO.Compression;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Google.Protobuf;
using Xunit;
using DataType = CompressBuild.Engine.Onnx.Proto.TensorProto.Types.DataType;

namespace CompressBuild.Engine.Tests.Evaluation;

/// <summary>Hostile data files (lying headers, absurd shapes, zip bombs, devices) are clean CB2xxx errors naming the file.</summary>
public class HostileDataTests
{
    private static readonly ValueInfo FlatInput = new("input", OnnxValueKind.Tensor, (int)DataType.Float, [-1, 64], ["batch", ""]);

    [Theory]
    [InlineData(0xFFFFFFFFu)]
    [InlineData(0x7FFFFFFFu)]
    public void An_npy_v2_header_length_past_any_real_header_is_CB2010(uint length)
    {
        using var temp = new TempFolder();
        var bytes = NpyBytes.Create("<f4", "(1, 64)", new byte[256], version: 2);
        BitConverter.GetBytes(length).CopyTo(bytes, 8);
        File.WriteAllBytes(temp.File("d.npy"), bytes);

        var error = Assert.Throws<CompressBuildException>(() => DatasetLoader.Open(temp.File("d.npy"), [FlatInput]));

        Assert.Equal(DiagnosticCodes.DataInvalid, error.Code);
        Assert.Equal(temp.File("d.npy"), error.File);
    }

    [Fact]
    public void An_npy_shape_whose_size_overflows_is_CB2203()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("d.npy"), NpyBytes.Create("<f4", "(36028797018963968, 64)", new byte[256]));

        var error = Assert.Throws<CompressBuildException>(() => DatasetLoader.Open(temp.File("d.npy"), [FlatInput]));

        Assert.Equal(DiagnosticCodes.TensorShapeInvalid, error.Code);
    }

    [Fact]
    public void Zero_samples_are_CB2016_for_evaluation()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("d.npy"), NpyBytes.Create("<f4", "(0, 64)", []));

        var error = Assert.Throws<CompressBuildException>(() => DatasetLoader.OpenNonEmpty(temp.File("d.npy"), [FlatInput]));

        Assert.Equal(DiagnosticCodes.EvaluationDataEmpty, error.Code);
        Assert.Equal(temp.File("d.npy"), error.File);
    }

    [Fact]
    public void An_npz_with_two_entries_of_one_name_is_CB2010()
    {
        using var temp = new TempFolder();
        using (var zip = ZipFile.Open(temp.File("d.npz"), ZipArchiveMode.Create))
        {
            foreach (var _ in new[] { 1, 2 })
            {
                using var entry = zip.CreateEntry("input.npy").Open();
                entry.Write(NpyBytes.Create("<f4", "(1, 64)", new byte[256]));
            }
        }

        var error = Assert.Throws<CompressBuildException>(() => DatasetLoader.Open(temp.File("d.npz"), [FlatInput]));

        Assert.Equal(DiagnosticCodes.DataInvalid, error.Code);
        Assert.Contains("input.npy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_npz_inflating_past_its_declared_array_is_CB2019_without_inflating_it_all()
    {
        using var temp = new TempFolder();
        using (var zip = ZipFile.Open(temp.File("d.npz"), ZipArchiveMode.Create))
        {
            // The header says one sample (256 bytes), the entry inflates to 256 MiB of zeros.
            using var entry = zip.CreateEntry("input.npy", CompressionLevel.SmallestSize).Open();
            entry.Write(NpyBytes.Create("<f4", "(1, 64)", new byte[256]));
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 256; i++)
            {
                entry.Write(zeros);
            }
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var error = Assert.Throws<CompressBuildException>(() => DatasetLoader.Open(temp.File("d.npz"), [FlatInput]));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(DiagnosticCodes.DataTooLarge, error.Code);
        Assert.True(allocated < 64L << 20, $"allocated {allocated} bytes refusing a zip bomb");
    }

    [Theory]
    [InlineData(new long[] { 1L << 30, 64 }, 0)]
    [InlineData(new long[] { -1, 64 }, 0)]
    [InlineData(new long[] { 1L << 62, 64 }, 0)]
    [InlineData(new long[] { 1, 64 }, 99)]
    [InlineData(new long[] { 1, 64 }, 300)]
    public void A_hostile_input_pb_is_a_CB2xxx_error_naming_it(long[] dims, int variant)
    {
        using var temp = new TempFolder();
        var set = Directory.CreateDirectory(temp.File("test_data_set_0")).FullName;
        var tensor = new TensorProto { DataType = variant == 99 ? 99 : (int)DataType.Float, RawData = ByteString.CopyFrom(new byte[variant == 300 ? 300 : 256]) };
        tensor.Dims.Add(dims);
        File.WriteAllBytes(Path.Combine(set, "input_0.pb"), tensor.ToByteArray());

        var error = Assert.Throws<CompressBuildException>(() => DatasetLoader.Open(temp.Path, [FlatInput]));

        Assert.Equal(2, error.Code.Number / 1000);
        Assert.Equal(Path.Combine(set, "input_0.pb"), error.File);
    }

    [Fact]
    public async Task Labels_from_a_device_are_CB2017_at_once()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var read = Task.Run(() => Assert.Throws<CompressBuildException>(() => Labels.Load("/dev/zero")));

        // A read of /dev/zero never ends, so any bound tells the refusal from a hang; a generous one leaves a loaded machine's thread pool time to start the task.
        Assert.Same(read, await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(60))));
        Assert.Equal(DiagnosticCodes.InputNotRegularFile, (await read).Code);
    }
}
