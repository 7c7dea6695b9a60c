using System.Text.RegularExpressions;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.EndToEnd.Tests.Templates;

/// <summary>
/// <c>dotnet new onnx-app</c> as a user meets it: the templates package packed from this checkout, installed into a
/// private hive, instantiated, built against the freshly packed CompressBuild package and run: the <c>none</c> variant
/// (prints the build's verification report) and the <c>onnxruntime</c> variant (classifies with the compressed model
/// on the Microsoft.ML.OnnxRuntime version the template pins, while the engine uses its own from the packages folder).
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(PackagedCompressBuildCollection.Name)]
public sealed class OnnxAppTemplateBuildTests
{
    private readonly PackagedCompressBuild cb;

    public OnnxAppTemplateBuildTests(PackagedCompressBuild cb) => this.cb = cb;

    [Fact]
    public void The_none_variant_builds_with_its_model_compressed_and_runs_reporting_that_every_budget_holds()
    {
        var hive = InstallTemplates("none");
        // Below the fixture's root, so the generated app restores CompressBuild from the fixture's feed.
        var folder = Path.Combine(cb.Root, "onnx-app Vorlage", "Zähler App");
        var instantiate = cb.Run(cb.Root, "new", "onnx-app", "--inference", "none", "-o", folder, "--debug:custom-hive", hive);
        Assert.True(instantiate.ExitCode == 0, instantiate.ToString());
        var original = new FileInfo(Path.Combine(folder, "Models", "digits_mlp.onnx")).Length;

        var build = cb.Run(folder, "build");

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Matches(@"digits_mlp\.onnx: int8-static, \d+\.\dx smaller, .*top-1 [+-]?\d+\.\d points \(budget 1\.0\)", build.Output);
        var compressed = new FileInfo(Path.Combine(folder, "bin", "Debug", "net10.0", "Models", "digits_mlp.onnx"));
        Assert.True(compressed.Exists, build.ToString());
        Assert.True(compressed.Length < original / 2, $"{compressed.Length} vs {original}");

        var run = cb.Run(folder, "run", "--no-build");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("verified: every budget holds", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"top-1 accuracy on \d+ held-out samples: \d+\.\d\d% -> \d+\.\d\d%", run.Output);
        // The sizes the app prints come from the report the build copied beside the model: they must be these files'.
        var sizes = Regex.Match(run.Output, @"size: ([\d.,'\u00a0\u202f]+) -> ([\d.,'\u00a0\u202f]+) bytes");
        Assert.True(sizes.Success, run.ToString());
        Assert.Equal(original, Digits(sizes.Groups[1].Value));
        Assert.Equal(compressed.Length, Digits(sizes.Groups[2].Value));
    }

    [Fact]
    public void The_onnxruntime_variant_classifies_with_the_compressed_model_and_keeps_its_own_pinned_onnx_runtime()
    {
        var hive = InstallTemplates("onnxruntime");
        var folder = Path.Combine(cb.Root, "onnx-app ort", "App");
        var instantiate = cb.Run(cb.Root, "new", "onnx-app", "--inference", "onnxruntime", "-o", folder, "--debug:custom-hive", hive);
        Assert.True(instantiate.ExitCode == 0, instantiate.ToString());
        // The template names the project after the output folder.
        var project = Directory.GetFiles(folder, "*.csproj").Single();
        var pinned = Regex.Match(File.ReadAllText(project), "Include=\"Microsoft.ML.OnnxRuntime\" Version=\"([^\"]+)\"").Groups[1].Value;
        var original = new FileInfo(Path.Combine(folder, "Models", "digits_mlp.onnx")).Length;

        var build = cb.Run(folder, "build");

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Matches(@"digits_mlp\.onnx: int8-static, \d+\.\dx smaller", build.Output);
        var output = Path.Combine(folder, "bin", "Debug", "net10.0");
        var compressed = new FileInfo(Path.Combine(output, "Models", "digits_mlp.onnx"));
        Assert.True(compressed.Exists && compressed.Length < original / 2, build.ToString());
        // CompressBuild's ONNX Runtime came by PackageDownload: the app's dependency graph holds only its own pin.
        var deps = File.ReadAllText(Path.Combine(output, Path.GetFileNameWithoutExtension(project) + ".deps.json"));
        Assert.Contains($"\"Microsoft.ML.OnnxRuntime/{pinned}\"", deps, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"""Microsoft\.ML\.OnnxRuntime(\.Managed)?/(?!" + Regex.Escape(pinned) + @""")", deps);
        Assert.DoesNotContain("CompressBuild", deps, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(cb.Packages, "microsoft.ml.onnxruntime", "1.31.1")), "the engine's ONNX Runtime was not restored into the packages folder");

        var run = cb.Run(folder, "run", "--no-build");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"{compressed.Length / 1024.0:0.0} KiB", run.Output, StringComparison.Ordinal);
        var accuracy = Regex.Match(run.Output, @"classified (\d+) held-out digits: top-1 accuracy (\d+\.\d\d)%");
        Assert.True(accuracy.Success, run.ToString());
        Assert.True(double.Parse(accuracy.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) > 90, run.ToString());
    }

    private string InstallTemplates(string variant)
    {
        var feed = cb.NewFolder($"templates/{variant}/feed");
        var pack = cb.RunInRepository("pack", Path.Combine(RepositoryPaths.Root, "templates", "CompressBuild.Templates.csproj"), "-c", "Release", "-o", feed);
        Assert.True(pack.ExitCode == 0, pack.ToString());
        var hive = cb.NewFolder($"templates/{variant}/hive");
        var install = cb.Run(feed, "new", "install", Directory.GetFiles(feed, "CompressBuild.Templates.*.nupkg").Single(), "--debug:custom-hive", hive);
        Assert.True(install.ExitCode == 0, install.ToString());
        return hive;
    }

    /// <summary>A number printed with the app's culture's group separators.</summary>
    private static long Digits(string formatted) => long.Parse(new string(formatted.Where(char.IsAsciiDigit).ToArray()), System.Globalization.CultureInfo.InvariantCulture);
}
