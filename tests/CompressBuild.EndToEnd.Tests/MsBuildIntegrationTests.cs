using System.IO.Compression;
using Xunit;

namespace CompressBuild.EndToEnd.Tests;

/// <summary>
/// Real `dotnet build` / `dotnet pack` processes on generated projects that reference the packed CompressBuild
/// package, as users do. Each dotnet process costs seconds, so one project often serves several assertions.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(PackagedCompressBuildCollection.Name)]
public sealed class MsBuildIntegrationTests
{
    private const string InlineItem =
        """    <OnnxModel Include="Models/mlp.onnx" Quantize="int8-dynamic" EvaluationData="Data/test_x_flat.npy" Labels="Data/test_labels.npy" MaxAccuracyDrop="2%" />""";

    private readonly PackagedCompressBuild cb;

    public MsBuildIntegrationTests(PackagedCompressBuild cb) => this.cb = cb;

    [Fact]
    public void Build_compresses_and_copies_then_rebuild_skips_publish_has_it_and_clean_removes_it_in_a_folder_with_spaces_and_non_ascii_letters()
    {
        var folder = cb.NewFolder("Straße mit Leerzeichen/App Ü");
        GeneratedProject.CopyFixtures(folder);
        GeneratedProject.Write(folder, "App Ü", InlineItem);
        var original = new FileInfo(Path.Combine(folder, "Models", "mlp.onnx")).Length;

        var first = cb.Run(folder, "build");
        Assert.True(first.ExitCode == 0, first.ToString());
        var copied = Path.Combine(folder, "bin", "Debug", "net10.0", "Models", "mlp.onnx");
        var compressed = Path.Combine(folder, "obj", "Debug", "net10.0", "compressbuild", "models", "Models", "mlp.onnx");
        Assert.True(File.Exists(copied), first.ToString());
        Assert.True(new FileInfo(copied).Length < original / 2, $"{new FileInfo(copied).Length} vs {original}");
        Assert.Equal(File.ReadAllBytes(compressed), File.ReadAllBytes(copied));
        Assert.Contains("mlp.onnx: int8-dynamic", first.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("MSB6006", first.Output, StringComparison.Ordinal);

        var second = cb.Run(folder, "build", "-v:n");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("Skipping target \"_CompressBuildCompress\" because all output files are up-to-date", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet-compress.dll run", second.Output, StringComparison.Ordinal);

        var publish = cb.Run(folder, "publish", "-c", "Debug", "-o", Path.Combine(folder, "pub"));
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Equal(File.ReadAllBytes(compressed), File.ReadAllBytes(Path.Combine(folder, "pub", "Models", "mlp.onnx")));

        var clean = cb.Run(folder, "clean");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.False(File.Exists(compressed));
        Assert.False(File.Exists(copied));
    }

    [Fact]
    public void A_budget_miss_in_compress_yaml_fails_the_build_at_the_budget_line_and_FailOnRegression_false_makes_it_a_warning()
    {
        var folder = cb.NewFolder("config-budget");
        GeneratedProject.CopyFixtures(folder);
        var config = Path.Combine(folder, "compress.yaml");
        File.WriteAllText(config, """
            version: 1
            models:
              - path: Models/mlp.onnx
                passes:
                  - quantize: { mode: int8-dynamic }
                evaluation:
                  data: Data/test_x_flat.npy
                  labels: Data/test_labels.npy
                budgets:
                  max_accuracy_drop: 0.02
                  max_size_mb: 0.001
                search: off
            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        GeneratedProject.Write(folder, "app", """    <OnnxModel Include="Models/mlp.onnx" Config="compress.yaml" />""");
        var line = GeneratedProject.LineOf(config, "max_size_mb");

        var failed = cb.Run(folder, "build");

        Assert.NotEqual(0, failed.ExitCode);
        Assert.Matches($@"compress\.yaml\({line},\d+\): error CB1\d\d\d: ", failed.Output);
        Assert.DoesNotContain("MSB6006", failed.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "bin", "Debug", "net10.0", "Models", "mlp.onnx")));

        var warned = cb.Run(folder, "build", "-p:CompressBuildFailOnRegression=false");

        Assert.True(warned.ExitCode == 0, warned.ToString());
        Assert.Matches($@"compress\.yaml\({line},\d+\): warning CB1\d\d\d: ", warned.Output);
        Assert.True(File.Exists(Path.Combine(folder, "bin", "Debug", "net10.0", "Models", "mlp.onnx")));
    }

    [Fact]
    public void An_inline_budget_miss_points_at_its_attribute_and_removes_the_earlier_compressed_model_while_design_time_builds_and_EnableCompressBuild_false_skip_compression()
    {
        var folder = cb.NewFolder("inline-budget");
        GeneratedProject.CopyFixtures(folder);
        const string Item = """    <OnnxModel Include="Models/mlp.onnx" Quantize="int8-dynamic" EvaluationData="Data/test_x_flat.npy" Labels="Data/test_labels.npy" MaxSizeMB="SIZE" Search="off" />""";
        GeneratedProject.Write(folder, "app", Item.Replace("SIZE", "1", StringComparison.Ordinal));
        var copied = Path.Combine(folder, "bin", "Debug", "net10.0", "Models", "mlp.onnx");
        var compressed = Path.Combine(folder, "obj", "Debug", "net10.0", "compressbuild", "models", "Models", "mlp.onnx");
        var passed = cb.Run(folder, "build");
        Assert.True(passed.ExitCode == 0 && File.Exists(copied), passed.ToString());

        var project = GeneratedProject.Write(folder, "app", Item.Replace("SIZE", "0.001", StringComparison.Ordinal));
        var line = GeneratedProject.LineOf(project, "MaxSizeMB=");
        var column = GeneratedProject.ColumnOf(project, "MaxSizeMB=");

        var failed = cb.Run(folder, "build");

        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains($"app.csproj({line},{column}): error CB1", failed.Output, StringComparison.Ordinal);

        // The model of the first build no longer meets its budgets: neither obj/ nor bin/ may keep it.
        Assert.False(File.Exists(compressed), failed.ToString());
        Assert.False(File.Exists(copied), failed.ToString());

        // A design-time build (what the IDE runs for IntelliSense) does not compress, so it cannot miss the budget.
        var designTime = cb.Run(folder, "build", "-p:DesignTimeBuild=true");

        Assert.True(designTime.ExitCode == 0, designTime.ToString());
        Assert.DoesNotContain("dotnet-compress.dll run", designTime.Output, StringComparison.Ordinal);

        var disabled = cb.Run(folder, "build", "-p:EnableCompressBuild=false");

        Assert.True(disabled.ExitCode == 0, disabled.ToString());
        Assert.DoesNotContain("CB1", disabled.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(copied));
    }

    [Fact]
    public void A_missing_model_and_invalid_metadata_are_CB2xxx_errors_on_their_lines()
    {
        var folder = cb.NewFolder("bad-items");
        GeneratedProject.CopyFixtures(folder);
        var project = GeneratedProject.Write(folder, "app", """
                <OnnxModel Include="Models/missing.onnx" Quantize="int8-dynamic" />
                <OnnxModel Include="Models/mlp.onnx" Prune="magnitude"
                           Sparsity="abc" />
            """);
        var missingLine = GeneratedProject.LineOf(project, "missing.onnx");
        var sparsityLine = GeneratedProject.LineOf(project, "Sparsity=");
        var sparsityColumn = GeneratedProject.ColumnOf(project, "Sparsity=");

        var run = cb.Run(folder, "build");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Matches($@"app\.csproj\({missingLine},\d+\): error CB2113: .*missing\.onnx", run.Output);
        Assert.Contains($"app.csproj({sparsityLine},{sparsityColumn}): error CB2112: OnnxModel metadata Sparsity=\"abc\"", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet-compress.dll run", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Pack_ships_the_compressed_model_and_its_baseline_and_direct_and_transitive_consumers_get_the_model()
    {
        var folder = cb.NewFolder("packing/Models Lib");
        GeneratedProject.CopyFixtures(folder);
        GeneratedProject.Write(folder, "Models.Lib", InlineItem, properties: "\n    <PackageId>E2E.DigitsModels</PackageId>\n    <Version>1.0.0</Version>");
        var feed = cb.NewFolder("packing/feed");

        var pack = cb.Run(folder, "pack", "-o", feed);

        Assert.True(pack.ExitCode == 0, pack.ToString());
        using (var package = ZipFile.OpenRead(Path.Combine(feed, "E2E.DigitsModels.1.0.0.nupkg")))
        {
            var names = package.Entries.Select(e => e.FullName).ToList();
            var model = package.GetEntry("contentFiles/any/any/Models/mlp.onnx");
            Assert.NotNull(model);
            Assert.True(model.Length < new FileInfo(Path.Combine(folder, "Models", "mlp.onnx")).Length / 2, "the packed model is the compressed one");
            Assert.Contains("compressbuild/baselines/mlp.json", names);
            Assert.Contains("buildTransitive/E2E.DigitsModels.targets", names);
            using var nuspec = new StreamReader(package.GetEntry("E2E.DigitsModels.nuspec")!.Open());
            Assert.Contains("copyToOutput=\"true\"", nuspec.ReadToEnd(), StringComparison.Ordinal);
        }

        // A library referencing the package, and an app that gets it only through the library.
        var consumers = cb.NewFolder("packing/consumers");
        File.WriteAllText(Path.Combine(consumers, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="models" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        Directory.CreateDirectory(Path.Combine(consumers, "lib"));
        File.WriteAllText(Path.Combine(consumers, "lib", "lib.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <ItemGroup><PackageReference Include="E2E.DigitsModels" Version="1.0.0" /></ItemGroup>
            </Project>
            """);
        GeneratedProject.Write(Path.Combine(consumers, "app"), "app", """    <ProjectReference Include="../lib/lib.csproj" />""");

        var build = cb.Run(Path.Combine(consumers, "app"), "build");

        Assert.True(build.ExitCode == 0, build.ToString());
        var packed = Path.Combine(folder, "obj", "Release", "net10.0", "compressbuild", "models", "Models", "mlp.onnx");
        Assert.Equal(File.ReadAllBytes(packed), File.ReadAllBytes(Path.Combine(consumers, "lib", "bin", "Debug", "net10.0", "Models", "mlp.onnx")));
        Assert.Equal(File.ReadAllBytes(packed), File.ReadAllBytes(Path.Combine(consumers, "app", "bin", "Debug", "net10.0", "Models", "mlp.onnx")));
    }

    [Fact]
    public void Parallel_build_of_two_projects_sharing_one_model_and_one_cache_gives_both_the_same_bytes()
    {
        var folder = cb.NewFolder("parallel");
        GeneratedProject.CopyFixtures(folder);
        var item = """    <OnnxModel Include="../Models/mlp.onnx" Link="Models/mlp.onnx" Quantize="int8-dynamic" """
            + """EvaluationData="../Data/test_x_flat.npy" Labels="../Data/test_labels.npy" MaxAccuracyDrop="2%" />""";
        var shared = "\n    <CompressBuildCacheDir>../shared-cache</CompressBuildCacheDir>";
        GeneratedProject.Write(Path.Combine(folder, "one"), "one", item, shared);
        GeneratedProject.Write(Path.Combine(folder, "two"), "two", item, shared);
        var solution = cb.Run(folder, "new", "sln", "-n", "both", "--format", "sln");
        Assert.True(solution.ExitCode == 0, solution.ToString());
        var add = cb.Run(folder, "sln", "both.sln", "add", "one/one.csproj", "two/two.csproj");
        Assert.True(add.ExitCode == 0, add.ToString());

        var build = cb.Run(folder, "build", "both.sln", "-m:2");

        Assert.True(build.ExitCode == 0, build.ToString());
        var one = File.ReadAllBytes(Path.Combine(folder, "one", "bin", "Debug", "net10.0", "Models", "mlp.onnx"));
        var two = File.ReadAllBytes(Path.Combine(folder, "two", "bin", "Debug", "net10.0", "Models", "mlp.onnx"));
        Assert.Equal(one, two);
        Assert.True(Directory.EnumerateFileSystemEntries(Path.Combine(folder, "shared-cache")).Any());
    }

    [Fact]
    public void A_package_over_the_size_limit_warns_CB4110_and_a_release_worse_than_the_previous_one_on_the_feed_fails_with_CB1005()
    {
        var folder = cb.NewFolder("release");
        GeneratedProject.CopyFixtures(folder);
        var feed = cb.NewFolder("release-feed");
        var properties = $"\n    <PackageId>E2E.Release</PackageId>\n    <CompressBuildBaselineFeed>{feed}</CompressBuildBaselineFeed>";
        GeneratedProject.Write(folder, "app", InlineItem, properties);

        var first = cb.Run(folder, "pack", "-o", feed, "-p:Version=1.0.0", "-p:CompressBuildPackageSizeLimitMB=0.01");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Matches(@"app\.csproj : warning CB4110: E2E\.Release\.1\.0\.0\.nupkg is 0\.\d MB, over the 0 MB limit", first.Output);

        // 1.1.0 prunes 90% of the weights: within its own (loose) budget, but far worse than 1.0.0.
        var project = GeneratedProject.Write(folder, "app",
            """    <OnnxModel Include="Models/mlp.onnx" Quantize="int8-dynamic" Prune="magnitude" Sparsity="0.9" Search="off" """
                + """EvaluationData="Data/test_x_flat.npy" Labels="Data/test_labels.npy" MaxAccuracyDrop="60%" />""",
            properties);
        var second = cb.Run(folder, "pack", "-o", feed, "-p:Version=1.1.0");

        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains($"app.csproj({GeneratedProject.LineOf(project, "<OnnxModel")},5): error CB1005: mlp: against release E2E.Release 1.0.0", second.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(feed, "E2E.Release.1.1.0.nupkg")));
    }

    [Fact]
    public void A_multi_targeting_project_compresses_once_and_every_target_framework_gets_the_model()
    {
        var folder = cb.NewFolder("multi");
        GeneratedProject.CopyFixtures(folder);
        var project = GeneratedProject.Write(folder, "multi", InlineItem);
        File.WriteAllText(project, File.ReadAllText(project)
            .Replace("<OutputType>Exe</OutputType>", "", StringComparison.Ordinal)
            .Replace("<TargetFramework>net10.0</TargetFramework>", "<TargetFrameworks>netstandard2.0;net10.0</TargetFrameworks>", StringComparison.Ordinal));
        File.Delete(Path.Combine(folder, "Program.cs"));

        var build = cb.Run(folder, "build", "-v:n");

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Single(build.Output.Split('\n'), l => l.Contains("dotnet-compress.dll run", StringComparison.Ordinal));
        var shared = File.ReadAllBytes(Path.Combine(folder, "obj", "Debug", "compressbuild", "models", "Models", "mlp.onnx"));
        Assert.Equal(shared, File.ReadAllBytes(Path.Combine(folder, "bin", "Debug", "netstandard2.0", "Models", "mlp.onnx")));
        Assert.Equal(shared, File.ReadAllBytes(Path.Combine(folder, "bin", "Debug", "net10.0", "Models", "mlp.onnx")));
    }

    [Fact]
    public void Packing_a_multi_targeting_project_ships_the_compressed_model_once()
    {
        var folder = cb.NewFolder("multi-pack");
        GeneratedProject.CopyFixtures(folder);
        var project = GeneratedProject.Write(folder, "multi", InlineItem, "\n    <PackageId>E2E.Multi</PackageId>\n    <Version>1.0.0</Version>");
        File.WriteAllText(project, File.ReadAllText(project)
            .Replace("<OutputType>Exe</OutputType>", "", StringComparison.Ordinal)
            .Replace("<TargetFramework>net10.0</TargetFramework>", "<TargetFrameworks>netstandard2.0;net10.0</TargetFrameworks>", StringComparison.Ordinal));
        File.Delete(Path.Combine(folder, "Program.cs"));
        var feed = cb.NewFolder("multi-pack/feed");

        var pack = cb.Run(folder, "pack", "-o", feed);

        Assert.True(pack.ExitCode == 0, pack.ToString());
        Assert.DoesNotContain("NU5118", pack.Output, StringComparison.Ordinal);
        using var package = ZipFile.OpenRead(Path.Combine(feed, "E2E.Multi.1.0.0.nupkg"));
        var model = Assert.Single(package.Entries, e => e.FullName == "contentFiles/any/any/Models/mlp.onnx");
        var shared = Path.Combine(folder, "obj", "Release", "compressbuild", "models", "Models", "mlp.onnx");
        Assert.Equal(new FileInfo(shared).Length, model.Length);
        Assert.Single(package.Entries, e => e.FullName == "buildTransitive/E2E.Multi.targets");
    }
}
