using System.Text.Json;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

public class QuantizeCommandTests
{
    private static string Digits(string name) => Path.Combine(RepositoryPaths.Digits, name);

    [Fact]
    public void Static_quantization_reports_op_types_and_sizes_as_json()
    {
        using var temp = new TempFolder();
        var output = temp.File("q.onnx");

        var run = CliRun.Of("quantize", Digits("cnn_residual.onnx"), "-o", output, "--mode", "int8-static", "--calibration-data", Digits("calib_x_img.npy"), "--calibration-method", "entropy",
            "--calibration-samples", "50", "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var root = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal("int8-static", root.GetProperty("mode").GetString());
        Assert.Equal(50, root.GetProperty("calibrationSamples").GetInt32());
        var conv = root.GetProperty("opTypes").EnumerateArray().Single(o => o.GetProperty("opType").GetString() == "Conv");
        // The 1-channel stem of the 6 Convs stays float for speed (latency_placement, on by default).
        Assert.Equal(5, conv.GetProperty("quantized").GetInt32());
        Assert.Equal(1, conv.GetProperty("float").GetInt32());
        Assert.True(root.GetProperty("bytesAfter").GetInt64() < root.GetProperty("bytesBefore").GetInt64());
        Assert.Equal(new FileInfo(output).Length, root.GetProperty("bytesAfter").GetInt64());
        Assert.Contains(OnnxModelReader.Load(output).Graph.Node, n => n.OpType == "QuantizeLinear");
    }

    [Fact]
    public void Scale_constraint_pot_is_named_in_the_text_and_json_and_every_weight_scale_written_is_a_power_of_two()
    {
        using var temp = new TempFolder();
        var output = temp.File("q.onnx");
        string[] args = ["quantize", Digits("cnn_residual.onnx"), "-o", output, "--mode", "int8-static", "--calibration-data", Digits("calib_x_img.npy"),
            "--calibration-samples", "50", "--scale-constraint", "pot"];

        var text = CliRun.Of(args);
        var json = CliRun.Of([.. args, "--json"]);

        Assert.Equal(ExitCodes.Ok, text.ExitCode);
        Assert.Contains(", scales: pot", text.Out, StringComparison.Ordinal);
        Assert.Equal("pot", JsonDocument.Parse(json.Out).RootElement.GetProperty("scaleConstraint").GetString());
        var model = OnnxModelReader.Load(output);
        var scaleNames = model.Graph.Node.Where(n => n.OpType is "QuantizeLinear" or "DequantizeLinear").Select(n => n.Input[1]).ToHashSet(StringComparer.Ordinal);
        var scales = model.Graph.Initializer.Where(t => scaleNames.Contains(t.Name)).SelectMany(t => TensorData.ToSingles(t, model)).ToList();
        Assert.NotEmpty(scales);
        Assert.All(scales, s => Assert.Equal(0, BitConverter.SingleToInt32Bits(s) & 0x7FFFFF));
    }

    [Fact]
    public void Rounding_adaround_is_named_in_the_text_and_json_and_marks_every_weighted_node()
    {
        using var temp = new TempFolder();
        string[] args = ["quantize", Digits("mlp.onnx"), "-o", temp.File("q.onnx"), "--mode", "int8-static", "--calibration-data", Digits("calib_x_flat.npy"),
            "--calibration-samples", "50", "--rounding", "adaround"];

        var text = CliRun.Of(args);
        var json = CliRun.Of([.. args, "--json"]);

        Assert.Equal(ExitCodes.Ok, text.ExitCode);
        Assert.Contains(", rounding: adaround", text.Out, StringComparison.Ordinal);
        var root = JsonDocument.Parse(json.Out).RootElement;
        Assert.Equal("adaround", root.GetProperty("rounding").GetString());
        var gemms = root.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("opType").GetString() == "Gemm").ToList();
        Assert.Equal(3, gemms.Count);
        Assert.All(gemms, n => Assert.Contains("AdaRound", n.GetProperty("detail").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Rounding_auto_prints_every_held_out_score_and_names_the_chosen_rounding_and_ranges_in_the_text_and_json()
    {
        using var temp = new TempFolder();
        string[] args = ["quantize", Digits("mlp.onnx"), "-o", temp.File("q.onnx"), "--mode", "int8-static", "--calibration-data", Digits("calib_x_flat.npy"),
            "--calibration-samples", "16", "--rounding", "auto"];

        var text = CliRun.Of(args);
        var json = CliRun.Of([.. args, "--json"]);

        Assert.Equal(ExitCodes.Ok, text.ExitCode);
        var root = JsonDocument.Parse(json.Out).RootElement;
        var choice = root.GetProperty("roundingChoice");
        Assert.InRange(choice.GetProperty("candidates").GetArrayLength(), 5, 7);
        Assert.Equal("mse-median", choice.GetProperty("candidates")[4].GetProperty("calibrationMethod").GetString());
        var chosen = choice.GetProperty("chosen").GetProperty("name").GetString()!;
        Assert.Equal(chosen, root.GetProperty("rounding").GetString());
        Assert.Contains("Rounding    auto chose ", text.Out, StringComparison.Ordinal);
        Assert.Contains("8 held-out calibration samples", text.Out, StringComparison.Ordinal);
        var ranges = root.GetProperty("tailRanges");
        Assert.Equal((8, 8), (ranges.GetProperty("fitSamples").GetInt32(), ranges.GetProperty("checkSamples").GetInt32()));
        // Both runs are in this process, so the second (--json) reused the first's choice and says so.
        Assert.True(ranges.GetProperty("reused").GetBoolean());
        var reusedNote = "; reused: chosen earlier in this run for the same model, options and data";
        Assert.Contains($"Ranges      {ranges.GetProperty("summary").GetString()![..^reusedNote.Length]}\n", text.Out, StringComparison.Ordinal);
        var gemms = root.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("opType").GetString() == "Gemm").ToList();
        Assert.Equal(3, gemms.Count);
        Assert.All(gemms, n => Assert.Equal(chosen == "gptq", n.GetProperty("detail").GetString()!.Contains("GPTQ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Reduce_range_asks_for_the_saturation_remedy_on_any_cpu_and_false_keeps_8_bit_weights()
    {
        using var temp = new TempFolder();
        string Quantize(string name, params string[] extra) => CliRun.Of(["quantize", Digits("cnn_concat_dw.onnx"), "-o", temp.File(name), "--mode", "int8-static",
            "--calibration-data", Digits("calib_x_img.npy"), "--calibration-samples", "32", "--rounding", "nearest", "--json", .. extra]).Out;

        // The CPU this runs on does not matter: both answers are given, not detected.
        var asked = JsonDocument.Parse(Quantize("asked.onnx", "--reduce-range")).RootElement;
        var refused = JsonDocument.Parse(Quantize("refused.onnx", "--reduce-range", "false")).RootElement;

        var remedy = DiagnosticCodes.U8S8SaturationRemedy.Id;
        string[] Codes(JsonElement root) => [.. root.GetProperty("advisories").EnumerateArray().Select(a => a.GetProperty("code").GetString()!)];
        Assert.Contains(remedy, Codes(asked));
        Assert.DoesNotContain(remedy, Codes(refused));
        Assert.NotEqual(File.ReadAllBytes(temp.File("asked.onnx")), File.ReadAllBytes(temp.File("refused.onnx")));
    }

    [Fact]
    public void Rounding_gptq_is_named_in_the_text_and_json_and_marks_every_weighted_node()
    {
        using var temp = new TempFolder();
        string[] args = ["quantize", Digits("mlp.onnx"), "-o", temp.File("q.onnx"), "--mode", "int8-static", "--calibration-data", Digits("calib_x_flat.npy"),
            "--calibration-samples", "50", "--rounding", "gptq"];

        var text = CliRun.Of(args);
        var json = CliRun.Of([.. args, "--json"]);

        Assert.Equal(ExitCodes.Ok, text.ExitCode);
        Assert.Contains(", rounding: gptq", text.Out, StringComparison.Ordinal);
        var root = JsonDocument.Parse(json.Out).RootElement;
        Assert.Equal("gptq", root.GetProperty("rounding").GetString());
        var gemms = root.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("opType").GetString() == "Gemm").ToList();
        Assert.Equal(3, gemms.Count);
        Assert.All(gemms, n => Assert.Contains("GPTQ", n.GetProperty("detail").GetString(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Preprocessing_is_reported_in_json_and_no_preprocess_keeps_only_the_opset_conversion(bool noPreprocess)
    {
        using var temp = new TempFolder();
        string[] args = ["quantize", Digits("mlp_opset11_constants.onnx"), "-o", temp.File("q.onnx"), "--mode", "int8-static", "--calibration-data", Digits("calib_x_flat.npy"),
            "--calibration-samples", "20", "--json"];

        var run = CliRun.Of(noPreprocess ? [.. args, "--no-preprocess"] : args);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var preprocessing = JsonDocument.Parse(run.Out).RootElement.GetProperty("preprocessing");
        Assert.Equal(11, preprocessing.GetProperty("opsetBefore").GetInt64());
        Assert.Equal(13, preprocessing.GetProperty("opsetAfter").GetInt64());
        Assert.True(preprocessing.GetProperty("constantsPromoted").GetInt32() > 0);
        Assert.Equal(noPreprocess, preprocessing.GetProperty("shapesInferred").GetInt32() == 0);
    }

    [Fact]
    public void Text_output_says_what_pre_processing_changed()
    {
        using var temp = new TempFolder();

        var run = CliRun.Of("quantize", Digits("mlp_opset11_constants.onnx"), "-o", temp.File("q.onnx"), "--mode", "int8-static", "--calibration-data", Digits("calib_x_flat.npy"),
            "--calibration-samples", "20");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("Prepared    opset 11 -> 13", run.Out, StringComparison.Ordinal);
        Assert.Contains("Constant weights promoted", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Sensitivity_hessian_ranks_by_the_hessian_score_and_keeps_the_top_layers_float()
    {
        using var temp = new TempFolder();

        var run = CliRun.Of("quantize", Digits("cnn_residual.onnx"), "-o", temp.File("q.onnx"), "--mode", "int8-static", "--calibration-data", Digits("calib_x_img.npy"),
            "--calibration-samples", "50", "--keep-float-top", "2", "--sensitivity", "hessian", "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var layers = JsonDocument.Parse(run.Out).RootElement.GetProperty("sensitivity").EnumerateArray().ToList();
        // 7 weighted layers; the 1-channel stem Conv is already float by latency_placement, so 6 are ranked.
        Assert.Equal(6, layers.Count);
        var scores = layers.Select(l => l.GetProperty("hessian").GetDouble()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.Equal([true, true, false, false, false, false], layers.Select(l => l.GetProperty("keptFloat").GetBoolean()));
    }

    [Fact]
    public void Text_output_lists_what_was_quantized_and_skipped()
    {
        using var temp = new TempFolder();

        var run = CliRun.Of("quantize", Digits("cnn_residual.onnx"), "-o", temp.File("d.onnx"), "--mode", "int8-dynamic", "--exclude-nodes", "/stem/stem.0/Conv");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("Gemm", run.Out, StringComparison.Ordinal);
        Assert.Contains("float: Conv '/stem/stem.0/Conv': excluded by exclude_nodes", run.Out, StringComparison.Ordinal);
        Assert.Contains("integer  ConvInteger", run.Out, StringComparison.Ordinal);
        Assert.Contains("x smaller", run.Out, StringComparison.Ordinal);
        Assert.Contains("warning CB4013", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Calibration_data_of_the_wrong_shape_is_CB2011_and_writes_nothing()
    {
        using var temp = new TempFolder();
        var output = temp.File("q.onnx");

        var run = CliRun.Of("quantize", Digits("cnn_residual.onnx"), "-o", output, "--mode", "int8-static", "--calibration-data", Digits("calib_x_flat.npy"));

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("error CB2011: input 'input' expects float32 [batch,1,8,8], the data gives float32 [64]", run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Static_without_calibration_data_is_CB2020()
    {
        using var temp = new TempFolder();

        var run = CliRun.Of("quantize", Digits("mlp.onnx"), "-o", temp.File("q.onnx"), "--mode", "int8-static");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("CB2020", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("q.onnx")));
    }

    [Fact]
    public void Nothing_to_quantize_writes_the_model_unchanged_with_a_warning()
    {
        using var temp = new TempFolder();
        var source = TestModels.Write(TestModels.AddWeight(8), temp.File("add.onnx"));
        var output = temp.File("q.onnx");

        var run = CliRun.Of("quantize", source, "-o", output, "--mode", "int4-weight", "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("warning CB4012", run.Error, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(output));
        Assert.Equal("CB4012", JsonDocument.Parse(run.Out).RootElement.GetProperty("advisories")[0].GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("--mode", "int3")]
    [InlineData("--calibration-method", "median")]
    [InlineData("--keep-float", "middle")]
    [InlineData("--activation-type", "u16")]
    public void Values_outside_the_schema_are_CB2103_naming_the_option_and_its_compress_yaml_key(string option, string value)
    {
        using var temp = new TempFolder();

        var run = CliRun.Of("quantize", Digits("mlp.onnx"), "-o", temp.File("q.onnx"), option, value);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains($"error CB2103: {option}: '{option[2..].Replace('-', '_').Replace("calibration_", "", StringComparison.Ordinal)}' ", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--block-size", "48", "CB2021")]
    [InlineData("--exclude-nodes", "/nope/Gemm", "CB2044")]
    public void Invalid_quantization_options_name_the_problem(string option, string value, string code)
    {
        using var temp = new TempFolder();

        var run = CliRun.Of("quantize", Digits("mlp.onnx"), "-o", temp.File("q.onnx"), "--mode", "int4-weight", option, value);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains(code, run.Error, StringComparison.Ordinal);
        Assert.Contains(value, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Exclusions_reach_the_engine()
    {
        using var temp = new TempFolder();

        var run = CliRun.Of("quantize", Digits("mlp.onnx"), "-o", temp.File("q.onnx"), "--mode", "int8-dynamic", "--exclude-nodes", "/fc1/Gemm", "--keep-float", "last", "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var nodes = JsonDocument.Parse(run.Out).RootElement.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("node").GetString()!, n => n.GetProperty("quantized").GetBoolean());
        Assert.False(nodes["/fc1/Gemm"]);
        Assert.True(nodes["/fc2/Gemm"]);
        Assert.False(nodes["/fc3/Gemm"]);
    }

    [Fact]
    public void A_setting_the_mode_does_not_read_is_warning_CB4063_and_changes_nothing()
    {
        using var temp = new TempFolder();

        var plain = CliRun.Of("quantize", Digits("mlp.onnx"), "-o", temp.File("a.onnx"), "--mode", "int8-dynamic");
        var withBlock = CliRun.Of("quantize", Digits("mlp.onnx"), "-o", temp.File("b.onnx"), "--mode", "int8-dynamic", "--block-size", "64");

        Assert.Equal(ExitCodes.Ok, withBlock.ExitCode);
        Assert.Contains("warning CB4063: block_size applies only to mode int4-weight or int8-weight; mode int8-dynamic ignores it.", withBlock.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("CB4063", plain.Error, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(temp.File("a.onnx")), File.ReadAllBytes(temp.File("b.onnx")));
    }
}
