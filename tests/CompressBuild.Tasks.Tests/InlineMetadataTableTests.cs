using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tasks.Tests;

public class InlineMetadataTableTests
{
    [Fact]
    public void The_checked_in_table_is_what_the_engine_schema_generates()
    {
        var path = Path.Combine(RepositoryPaths.Root, InlineMetadataTableGenerator.RelativePath);
        var expected = InlineMetadataTableGenerator.Generate();
        if (Environment.GetEnvironmentVariable("COMPRESSBUILD_REGENERATE") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.True(File.Exists(path), $"{path} is missing; run with COMPRESSBUILD_REGENERATE=1 to write it.");
        Assert.True(
            string.Equals(expected, File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal),
            $"{path} differs from the engine's config schema; run COMPRESSBUILD_REGENERATE=1 dotnet test tests/CompressBuild.Tasks.Tests --filter FullyQualifiedName~InlineMetadataTable and commit " +
                $"the result.");
    }

    [Fact]
    public void Every_budget_of_the_schema_is_an_item_metadata()
    {
        var inline = InlineMetadataTable.All.Where(m => m.Section == "budgets").Select(m => m.Key);

        Assert.Equal(CompressConfigSchema.Budgets.Keys.Select(k => k.Name), inline);
    }

    [Theory]
    [InlineData("MinCosine", "budgets", "min_cosine")]
    [InlineData("MaxAccuracyDrop", "budgets", "max_accuracy_drop")]
    [InlineData("MaxSizeMB", "budgets", "max_size_mb")]
    [InlineData("PruneImportance", "prune", "importance")]
    [InlineData("PruneRoundTo", "prune", "round_to")]
    [InlineData("QuantizeBlockSize", "quantize", "block_size")]
    [InlineData("CalibrationMethod", "calibration", "method")]
    [InlineData("CalibrationData", "calibration", "data")]
    [InlineData("SearchTimeout", "search", "timeout")]
    public void Metadata_names_map_to_their_compress_yaml_keys(string name, string section, string key)
    {
        var metadata = Assert.Single(InlineMetadataTable.All, m => m.Name == name);

        Assert.Equal(section, metadata.Section);
        Assert.Equal(key, metadata.Key);
    }

    [Fact]
    public void The_README_lists_every_metadata_with_its_compress_yaml_key()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));

        var missing = InlineMetadataTable.All.Where(m => !readme.Contains($"| `{m.Name}` | `{m.Section}: {m.Key}`", StringComparison.Ordinal))
            .Select(m => $"| `{m.Name}` | `{m.Section}: {m.Key}` | {m.Kind}: {m.Description} |").ToList();

        Assert.True(missing.Count == 0, "Add these rows to the README's Inline metadata table:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void Metadata_names_are_unique_ignoring_case()
    {
        var names = InlineMetadataTable.All.Select(m => m.Name.ToUpperInvariant()).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
    }
}
