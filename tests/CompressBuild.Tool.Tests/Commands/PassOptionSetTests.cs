using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tool.Tests.Commands;

/// <summary>prune and quantize options come from the schema: every name they always had, the same checks as compress.yaml.</summary>
public sealed class PassOptionSetTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    public static TheoryData<string, string[]> OptionNames => new()
    {
        {
            "quantize", ["--output", "--mode", "--calibration-data", "--calibration-method", "--percentile", "--calibration-samples", "--per-tensor", "--activation-type",
                "--weight-type", "--activation-symmetric", "--weight-asymmetric", "--block-size", "--gptq", "--asymmetric", "--accuracy-level", "--exclude-nodes",
                "--exclude-op-types", "--keep-float", "--fp16-block-list", "--fp16-io", "--target-cosine", "--keep-float-top", "--bias-correction", "--no-preprocess", "--json"]
        },
        {
            "prune", ["--output", "--method", "--sparsity", "--scope", "--allocation", "--pattern", "--block", "--importance", "--round-to", "--calibration-data",
                "--reconstruct", "--calibration-samples", "--exclude-nodes", "--exclude-op-types", "--data", "--labels", "--json"]
        },
    };

    [Theory]
    [MemberData(nameof(OptionNames))]
    public void Every_option_name_the_command_always_had_is_offered(string command, string[] names)
    {
        var run = CliRun.Of(command, "--help");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.All(names, n => Assert.Matches($@"(^|\s|, ){n}(\s|,|$)", run.Out));
    }

    [Fact]
    public void Every_settable_key_of_the_passes_is_an_option_of_its_command()
    {
        var quantize = CliRun.Of("quantize", "--help").Out;
        var prune = CliRun.Of("prune", "--help").Out;

        // A key that is on by default is offered as its negative flag (preprocess as --no-preprocess).
        Assert.All(CompressConfigSchema.Quantize.Keys.Where(k => k.Kind != ConfigValueKind.Section),
            k => Assert.Matches($@"--(no-)?{k.Name.Replace('_', '-')}\b", quantize));
        Assert.All(CompressConfigSchema.Prune.Keys.Where(k => k.Kind != ConfigValueKind.Section),
            k => Assert.Contains("--" + k.Name.Replace('_', '-'), prune, StringComparison.Ordinal));
        Assert.Contains(CompressConfigSchema.Prune.Find("importance")!.Description, prune, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("quantize", "--mode", "int3", "mode: int3")]
    [InlineData("quantize", "--keep-float", "middle", "mode: int8-dynamic, keep_float: [middle]")]
    [InlineData("quantize", "--accuracy-level", "7", "mode: int8-dynamic, accuracy_level: 7")]
    [InlineData("quantize", "--target-cosine", "abc", "mode: int8-dynamic, target_cosine: abc")]
    [InlineData("prune", "--sparsity", "1.5", "method: magnitude, sparsity: 1.5")]
    [InlineData("prune", "--importance", "l3", "method: channel, importance: l3")]
    public void A_bad_value_gives_the_code_and_message_compress_yaml_gives(string command, string option, string value, string yaml)
    {
        File.Copy(Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), temp.File("mlp.onnx"));
        File.WriteAllText(temp.File("compress.yaml"), $"version: 1\nmodels:\n  - path: mlp.onnx\n    passes:\n      - {command}: {{ {yaml} }}\n");

        var cli = CliRun.Of(command, temp.File("mlp.onnx"), "-o", temp.File("out.onnx"), option, value);
        var config = CliRun.Of("run", temp.File("compress.yaml"));

        Assert.Equal(ExitCodes.InvalidInput, cli.ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, config.ExitCode);
        var fromConfig = config.Error[config.Error.IndexOf("error CB", StringComparison.Ordinal)..].Trim();
        var code = fromConfig[..("error CB0000: ".Length)];
        Assert.Contains(code + option + ": " + fromConfig[code.Length..], cli.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("out.onnx")));
    }

    [Fact]
    public void A_comma_separated_list_and_a_repeated_option_mean_the_same_list()
    {
        var commas = CliRun.Of("quantize", Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), "-o", temp.File("a.onnx"), "--exclude-nodes", "/fc1/Gemm,/fc3/Gemm", "--json");
        var repeated = CliRun.Of("quantize", Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), "-o", temp.File("b.onnx"), "--exclude-nodes", "/fc1/Gemm", "--exclude-nodes", "/fc3/Gemm", "--json");

        Assert.Equal(ExitCodes.Ok, commas.ExitCode);
        Assert.Equal(File.ReadAllBytes(temp.File("a.onnx")), File.ReadAllBytes(temp.File("b.onnx")));
        Assert.Contains("\"quantized\": false", commas.Out, StringComparison.Ordinal);
    }
}
