using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Onnx;

public class OnnxModelWriterTests
{
    private static string Fixture(string name) => Path.Combine(RepositoryPaths.Digits, name);

    [Theory]
    [MemberData(nameof(OnnxModelReaderTests.Fixtures), MemberType = typeof(OnnxModelReaderTests))]
    public void Load_then_save_is_byte_identical_for_every_fixture(string name)
    {
        using var temp = new TempFolder();

        OnnxModelWriter.Save(OnnxModelReader.Load(Fixture(name)), temp.File(name));

        Assert.Equal(File.ReadAllBytes(Fixture(name)), File.ReadAllBytes(temp.File(name)));
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void External_data_moves_large_tensors_out_and_runs_the_same_in_onnx_runtime()
    {
        using var temp = new TempFolder();
        var output = temp.File("mlp.onnx");

        var result = OnnxModelWriter.Save(OnnxModelReader.Load(Fixture("mlp.onnx")), output, new ModelSaveOptions { Layout = ExternalDataLayout.SingleFile, SizeThreshold = 1024 });

        var saved = OnnxModelReader.Load(output);
        var external = saved.Graph.Initializer.Where(ExternalDataReference.IsExternal).ToList();
        Assert.Equal(["mlp.onnx.data"], result.DataFiles);
        Assert.Equal(external.Count, result.ExternalTensors);
        Assert.All(saved.Graph.Initializer, t => Assert.Equal(TensorData.RawByteCount(t) >= 1024, ExternalDataReference.IsExternal(t)));
        Assert.True(new FileInfo(output).Length < 4096);
        Assert.Equal(SameOutputs(Fixture("mlp.onnx")), SameOutputs(output));
    }

    [Fact]
    public void Per_tensor_layout_writes_one_file_per_tensor()
    {
        using var temp = new TempFolder();

        var result = OnnxModelWriter.Save(OnnxModelReader.Load(Fixture("cnn_residual.onnx")), temp.File("cnn.onnx"),
            new ModelSaveOptions { Layout = ExternalDataLayout.PerTensor, SizeThreshold = 2048 });

        Assert.Equal(result.ExternalTensors, result.DataFiles.Count);
        Assert.Equal(result.DataFiles.Count, result.DataFiles.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(result.DataFiles, f => Assert.True(File.Exists(temp.File(f)), f));
        Assert.Equal(SameOutputs(Fixture("cnn_residual.onnx")), SameOutputs(temp.File("cnn.onnx")));
    }

    [Fact]
    public void External_then_inline_restores_the_original_bytes()
    {
        using var temp = new TempFolder();
        OnnxModelWriter.Save(OnnxModelReader.Load(Fixture("cnn_concat_dw.onnx")), temp.File("ext/m.onnx"), new ModelSaveOptions { Layout = ExternalDataLayout.SingleFile, SizeThreshold = 0 });

        OnnxModelWriter.Save(OnnxModelReader.Load(temp.File("ext/m.onnx")), temp.File("back/m.onnx"), new ModelSaveOptions { Layout = ExternalDataLayout.Inline });

        Assert.Equal(File.ReadAllBytes(Fixture("cnn_concat_dw.onnx")), File.ReadAllBytes(temp.File("back/m.onnx")));
    }

    [Fact]
    public void Keep_layout_carries_external_data_to_a_new_folder()
    {
        using var temp = new TempFolder();
        OnnxModelWriter.Save(OnnxModelReader.Load(Fixture("mlp.onnx")), temp.File("a/m.onnx"), new ModelSaveOptions { Layout = ExternalDataLayout.SingleFile });

        var result = OnnxModelWriter.Save(OnnxModelReader.Load(temp.File("a/m.onnx")), temp.File("b/copy.onnx"));

        Assert.Equal(["copy.onnx.data"], result.DataFiles);
        Assert.Equal(SameOutputs(Fixture("mlp.onnx")), SameOutputs(temp.File("b/copy.onnx")));
    }

    [Fact]
    public void Saving_over_the_source_with_external_data_reads_before_it_replaces()
    {
        using var temp = new TempFolder();
        var path = temp.File("m.onnx");
        OnnxModelWriter.Save(OnnxModelReader.Load(Fixture("mlp.onnx")), path, new ModelSaveOptions { Layout = ExternalDataLayout.SingleFile });

        OnnxModelWriter.Save(OnnxModelReader.Load(path), path, new ModelSaveOptions { Layout = ExternalDataLayout.SingleFile, SizeThreshold = 100 });

        Assert.Equal(SameOutputs(Fixture("mlp.onnx")), SameOutputs(path));
        Assert.Equal(2, Directory.GetFiles(temp.Path).Length);
    }

    [Fact]
    public void A_model_over_the_inline_limit_gets_external_data_on_its_own()
    {
        using var temp = new TempFolder();

        var result = OnnxModelWriter.Save(OnnxModelReader.Load(Fixture("mlp.onnx")), temp.File("m.onnx"), new ModelSaveOptions { Layout = ExternalDataLayout.Inline, InlineLimitBytes = 100_000 });

        Assert.True(result.ExternalDataForcedBySize);
        Assert.NotEmpty(result.DataFiles);
        Assert.Equal(SameOutputs(Fixture("mlp.onnx")), SameOutputs(temp.File("m.onnx")));
    }

    [Fact]
    public void Saves_are_deterministic()
    {
        using var temp = new TempFolder();
        var options = new ModelSaveOptions { Layout = ExternalDataLayout.SingleFile, SizeThreshold = 0 };

        OnnxModelWriter.Save(OnnxModelReader.Load(Fixture("cnn_residual.onnx")), temp.File("1/m.onnx"), options);
        OnnxModelWriter.Save(OnnxModelReader.Load(Fixture("cnn_residual.onnx")), temp.File("2/m.onnx"), options);

        Assert.Equal(File.ReadAllBytes(temp.File("1/m.onnx")), File.ReadAllBytes(temp.File("2/m.onnx")));
        Assert.Equal(File.ReadAllBytes(temp.File("1/m.onnx.data")), File.ReadAllBytes(temp.File("2/m.onnx.data")));
    }

    [Fact]
    public void A_failed_save_leaves_no_file_behind()
    {
        using var temp = new TempFolder();
        OnnxModelWriter.Save(OnnxModelReader.Load(Fixture("mlp.onnx")), temp.File("src/m.onnx"), new ModelSaveOptions { Layout = ExternalDataLayout.SingleFile });
        var model = OnnxModelReader.Load(temp.File("src/m.onnx"));
        File.Delete(temp.File("src/m.onnx.data"));
        Directory.CreateDirectory(temp.File("out"));

        var error = Assert.Throws<CompressBuildException>(() => OnnxModelWriter.Save(model, temp.File("out/m.onnx"), new ModelSaveOptions { Layout = ExternalDataLayout.Inline }));

        Assert.Equal(DiagnosticCodes.ExternalDataMissing, error.Code);
        Assert.Empty(Directory.GetFileSystemEntries(temp.File("out")));
    }

    [Fact]
    public void A_failed_external_save_over_an_existing_model_keeps_the_old_one()
    {
        using var temp = new TempFolder();
        var target = temp.File("out/m.onnx");
        OnnxModelWriter.Save(OnnxModelReader.Load(Fixture("cnn_residual.onnx")), target);
        var before = File.ReadAllBytes(target);
        OnnxModelWriter.Save(OnnxModelReader.Load(Fixture("mlp.onnx")), temp.File("src/m.onnx"), new ModelSaveOptions { Layout = ExternalDataLayout.SingleFile });
        var broken = OnnxModelReader.Load(temp.File("src/m.onnx"));
        File.WriteAllBytes(temp.File("src/m.onnx.data"), new byte[10]);

        Assert.Throws<CompressBuildException>(() => OnnxModelWriter.Save(broken, target, new ModelSaveOptions { Layout = ExternalDataLayout.SingleFile }));

        Assert.Equal(before, File.ReadAllBytes(target));
        Assert.Equal(["m.onnx"], Directory.GetFiles(temp.File("out")).Select(Path.GetFileName));
    }

    [Fact]
    public void The_output_path_may_not_be_a_folder()
    {
        using var temp = new TempFolder();

        var error = Assert.Throws<CompressBuildException>(() => OnnxModelWriter.Save(OnnxModelReader.Load(Fixture("mlp.onnx")), temp.Path));

        Assert.Equal(DiagnosticCodes.OutputPathInvalid, error.Code);
    }

    [Fact]
    public void Typed_fields_move_to_external_data_as_raw_little_endian()
    {
        using var temp = new TempFolder();
        var model = TestModels.AddWeight(300);
        var weight = model.Graph.Initializer[0];
        var values = Enumerable.Range(0, 300).Select(i => i * 0.5f).ToArray();
        weight.ClearRawData();
        weight.FloatData.Add(values);
        TestModels.Write(model, temp.File("typed.onnx"));

        OnnxModelWriter.Save(OnnxModelReader.Load(temp.File("typed.onnx")), temp.File("ext.onnx"), new ModelSaveOptions { Layout = ExternalDataLayout.SingleFile });

        var saved = OnnxModelReader.Load(temp.File("ext.onnx"));
        Assert.Empty(saved.Graph.Initializer[0].FloatData);
        Assert.Equal(values, TensorData.ToArray<float>(saved.Graph.Initializer[0], saved));
    }

    /// <summary>The model's outputs, as raw bytes, on recorded digits (flat vectors or 8x8 images, by input rank).</summary>
    private static byte[] SameOutputs(string modelPath)
    {
        using var session = InferenceSession.Create(modelPath, new SessionSettings { IntraOpThreads = 1 });
        var dataSet = session.Inputs[0].Shape.Count == 2 ? "mlp_test_data" : "cnn_residual_test_data";
        var proto = TensorProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(RepositoryPaths.Digits, dataSet, "test_data_set_0", "input_0.pb")));
        return session.Run([HostTensor.FromProto(proto, session.Inputs[0].Name)])[0].Data;
    }
}
