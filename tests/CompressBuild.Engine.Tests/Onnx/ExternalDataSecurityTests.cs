using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Onnx;

/// <summary>
/// External data locations that would let a model read files outside its folder are refused at load time
/// (the path-traversal class of ONNX loader vulnerabilities), and damaged data files are reported precisely.
/// </summary>
public class ExternalDataSecurityTests
{
    [Theory]
    [InlineData("../secret.bin")]
    [InlineData("sub/../../secret.bin")]
    [InlineData("..\\secret.bin")]
    [InlineData("/etc/passwd")]
    [InlineData("\\\\server\\share\\w.bin")]
    [InlineData("C:\\Windows\\win.ini")]
    [InlineData("C:relative.bin")]
    public void A_location_outside_the_model_folder_is_CB2004(string location)
    {
        using var temp = new TempFolder();
        var path = WriteExternalModel(temp, location);

        var error = Assert.Throws<CompressBuildException>(() => OnnxModelReader.Load(path));

        Assert.Equal(DiagnosticCodes.ExternalDataOutsideModelFolder, error.Code);
        Assert.Equal(path, error.File);
    }

    [Fact]
    public void A_symbolic_link_leading_outside_is_CB2004()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("outside.bin"), new byte[16]);
        Directory.CreateDirectory(temp.File("model"));
        File.CreateSymbolicLink(temp.File("model/w.bin"), temp.File("outside.bin"));
        var path = WriteExternalModel(temp, "w.bin", folder: "model");

        Assert.Equal(DiagnosticCodes.ExternalDataOutsideModelFolder, Assert.Throws<CompressBuildException>(() => OnnxModelReader.Load(path)).Code);
    }

    [Fact]
    public void A_linked_folder_leading_outside_is_CB2004()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("elsewhere"));
        File.WriteAllBytes(temp.File("elsewhere/w.bin"), new byte[16]);
        Directory.CreateDirectory(temp.File("model"));
        Directory.CreateSymbolicLink(temp.File("model/data"), temp.File("elsewhere"));
        var path = WriteExternalModel(temp, "data/w.bin", folder: "model");

        Assert.Equal(DiagnosticCodes.ExternalDataOutsideModelFolder, Assert.Throws<CompressBuildException>(() => OnnxModelReader.Load(path)).Code);
    }

    [Fact]
    public void A_link_that_stays_inside_the_folder_is_allowed()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("model/real"));
        File.WriteAllBytes(temp.File("model/real/w.bin"), BitConverter.GetBytes(1f).Concat(BitConverter.GetBytes(2f)).Concat(new byte[8]).ToArray());
        File.CreateSymbolicLink(temp.File("model/w.bin"), temp.File("model/real/w.bin"));
        var path = WriteExternalModel(temp, "w.bin", folder: "model");

        var model = OnnxModelReader.Load(path);

        Assert.Equal([1f, 2f, 0f, 0f], TensorData.ToArray<float>(model.Graph.Initializer[0], model));
    }

    [Fact]
    public void A_missing_data_file_is_CB2005_when_read()
    {
        using var temp = new TempFolder();
        var model = OnnxModelReader.Load(WriteExternalModel(temp, "absent.bin"));

        var error = Assert.Throws<CompressBuildException>(() => TensorData.ReadRawBytes(model.Graph.Initializer[0], model));

        Assert.Equal(DiagnosticCodes.ExternalDataMissing, error.Code);
        Assert.Contains("absent.bin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_past_the_end_of_the_file_is_CB2005()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("w.bin"), new byte[20]);
        var model = OnnxModelReader.Load(WriteExternalModel(temp, "w.bin", offset: 8, length: 16));

        Assert.Equal(DiagnosticCodes.ExternalDataMissing, Assert.Throws<CompressBuildException>(() => TensorData.ReadRawBytes(model.Graph.Initializer[0], model)).Code);
    }

    [Fact]
    public void A_length_that_does_not_fit_the_shape_is_CB2007()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("w.bin"), new byte[64]);
        var model = OnnxModelReader.Load(WriteExternalModel(temp, "w.bin", length: 12));

        Assert.Equal(DiagnosticCodes.TensorInvalid, Assert.Throws<CompressBuildException>(() => TensorData.ReadRawBytes(model.Graph.Initializer[0], model)).Code);
    }

    [Fact]
    public void A_checksum_is_verified()
    {
        using var temp = new TempFolder();
        var data = new byte[16];
        data[0] = 1;
        File.WriteAllBytes(temp.File("w.bin"), data);
#pragma warning disable CA5350 // ONNX's external data format defines its checksum as SHA-1.
        var sha1 = Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(data)).ToLowerInvariant();
#pragma warning restore CA5350
        var good = OnnxModelReader.Load(WriteExternalModel(temp, "w.bin", checksum: sha1, name: "good.onnx"));
        var bad = OnnxModelReader.Load(WriteExternalModel(temp, "w.bin", checksum: new string('0', 40), name: "bad.onnx"));

        Assert.Equal(data, TensorData.ReadRawBytes(good.Graph.Initializer[0], good));
        Assert.Equal(DiagnosticCodes.ExternalDataChecksumMismatch, Assert.Throws<CompressBuildException>(() => TensorData.ReadRawBytes(bad.Graph.Initializer[0], bad)).Code);
    }

    private static string WriteExternalModel(TempFolder temp, string location, string folder = "", long offset = 0, long? length = null, string? checksum = null, string name = "m.onnx")
    {
        var model = TestModels.AddWeight(4);
        var weight = model.Graph.Initializer[0];
        new ExternalDataReference(location, offset, length, checksum).WriteTo(weight);
        return TestModels.Write(model, Path.Combine(temp.Path, folder, name));
    }
}
