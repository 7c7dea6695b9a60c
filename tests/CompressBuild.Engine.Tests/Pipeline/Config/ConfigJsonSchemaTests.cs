using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Config;

/// <summary>The shipped JSON Schema is generated from the same table the loader validates with, and checked by an independent validator (python3-jsonschema).</summary>
public class ConfigJsonSchemaTests
{
    private static readonly string Shipped = Path.Combine(RepositoryPaths.Root, "tool", "CompressBuild.Tool", ConfigJsonSchema.FileName);

    private const string Validate = """
        import json, sys, yaml, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft7Validator.check_schema(schema)
        errors = sorted(e.message for e in jsonschema.Draft7Validator(schema).iter_errors(yaml.safe_load(open(sys.argv[2]))))
        print("\n".join(errors) if errors else "valid")
        """;

    [Fact]
    public void The_shipped_schema_is_the_generated_one()
    {
        // Regenerate with: dotnet test --filter The_shipped_schema_is_the_generated_one after setting COMPRESSBUILD_WRITE_SCHEMA=1.
        var generated = ConfigJsonSchema.Generate();
        if (Environment.GetEnvironmentVariable("COMPRESSBUILD_WRITE_SCHEMA") == "1")
        {
            File.WriteAllText(Shipped, generated);
        }

        Assert.Equal(generated, File.ReadAllText(Shipped));
    }

    [Theory]
    [InlineData("version: 1\nmodels:\n  - path: m.onnx\n    passes:\n      - prune: { method: channel, sparsity: 0.25, round_to: 8 }\n      - quantize: { mode: int8-static, calibration: { data: " +
        "c.npy, method: entropy } }\n    evaluation: t.npy\n    budgets: { max_accuracy_drop: 0.01, min_speedup: 1.2 }\n    search: { mode: auto, timeout: 10m }\n", "valid")]
    [InlineData("version: 1\nmodels:\n  - path: m.onnx\n    passes: [{ quantize: { mode: fp16 } }]\n    budgets: { min_cosinee: 0.9 }\n",
        "Additional properties are not allowed ('min_cosinee' was unexpected)")]
    [InlineData("version: 1\nmodels:\n  - path: m.onnx\n    passes: [{ prune: { method: channel, sparsity: 1.5 } }]\n", "is not valid under any of the given schemas")]
    [InlineData("version: 1\nmodels:\n  - path: m.onnx\n    passes: [{ quantize: { mode: int3 } }]\n", "is not valid under any of the given schemas")]
    [InlineData("version: 1\nmodels:\n  - path: m.onnx\n    passes: [{ prune: { method: nm, calibration: c.npy, reconstruct: true } }]\n", "valid")]
    [InlineData("version: 1\nmodels:\n  - path: m.onnx\n    passes: [{ prune: { method: channel, reconstruct: maybe } }]\n", "is not valid under any of the given schemas")]
    public void An_independent_validator_accepts_and_rejects_what_the_loader_does(string yaml, string expected)
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("compress.yaml"), yaml);

        var (exitCode, output) = DebianPython.Run(Validate, Shipped, temp.File("compress.yaml"));

        Assert.True(exitCode == 0, output);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }
}
