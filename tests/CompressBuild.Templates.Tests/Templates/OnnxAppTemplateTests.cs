using System.Xml.Linq;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Templates.Tests.Templates;

/// <summary>
/// <c>dotnet new onnx-app</c>: the project it writes (item, package references, data, Program.cs per inference
/// choice). Building it needs the CompressBuild package (see the EndToEnd OnnxAppTemplateBuildTests); Microsoft.ML.OnnxRuntime is not
/// on this machine's NuGet mirror, so the onnxruntime variant is checked file by file.
/// </summary>
public class OnnxAppTemplateTests(InstalledTemplates templates) : IClassFixture<InstalledTemplates>
{
    [Fact]
    public void The_project_is_named_after_the_output_and_compresses_its_model_with_inline_metadata_and_fidelity_budgets()
    {
        var folder = templates.Instantiate("onnx-app", "-n", "Digits App");

        var project = XDocument.Load(Path.Combine(folder, "Digits App.csproj"));
        var item = Assert.Single(project.Descendants("OnnxModel"));
        Assert.Equal("Models/digits_mlp.onnx", (string?)item.Attribute("Include"));
        Assert.Equal("int8-static", (string?)item.Attribute("Quantize"));
        Assert.Equal("1%", (string?)item.Attribute("MaxAccuracyDrop"));
        Assert.Equal("0.999", (string?)item.Attribute("MinCosine"));
        Assert.Equal("30", (string?)item.Attribute("MinSqnr"));
        foreach (var metadata in new[] { "Include", "CalibrationData", "EvaluationData", "Labels" })
        {
            Assert.True(File.Exists(Path.Combine(folder, (string)item.Attribute(metadata)!)), $"{metadata} names a file the template does not ship");
        }

        var compressBuild = Assert.Single(project.Descendants("PackageReference"), r => (string?)r.Attribute("Include") == "CompressBuild");
        Assert.Equal(RepositoryVersion(), (string?)compressBuild.Attribute("Version"));
        Assert.Equal("all", (string?)compressBuild.Attribute("PrivateAssets"));
        Assert.Equal("net10.0", project.Descendants("TargetFramework").Single().Value);
    }

    [Fact]
    public void The_shipped_model_and_data_are_the_trained_fixtures_byte_for_byte_and_run()
    {
        var folder = templates.Instantiate("onnx-app");

        Assert.Equal(File.ReadAllBytes(Path.Combine(RepositoryPaths.Digits, "mlp.onnx")), File.ReadAllBytes(Path.Combine(folder, "Models", "digits_mlp.onnx")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(RepositoryPaths.Digits, "test_x_flat.npy")), File.ReadAllBytes(Path.Combine(folder, "Data", "test.npy")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(RepositoryPaths.Digits, "calib_x_flat.npy")), File.ReadAllBytes(Path.Combine(folder, "Data", "calibration.npy")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(RepositoryPaths.Digits, "test_labels.npy")), File.ReadAllBytes(Path.Combine(folder, "Data", "test_labels.npy")));
        using var session = ModelSessions.Open(Path.Combine(folder, "Models", "digits_mlp.onnx"));
        Assert.Equal("input", session.Inputs.Single().Name);
    }

    [Fact]
    public void The_onnxruntime_variant_references_the_runtime_and_classifies_the_held_out_data()
    {
        var folder = templates.Instantiate("onnx-app", "-n", "OrtApp");

        var project = XDocument.Load(Path.Combine(folder, "OrtApp.csproj"));
        Assert.Contains(project.Descendants("PackageReference"), r => (string?)r.Attribute("Include") == "Microsoft.ML.OnnxRuntime");
        Assert.Contains(project.Descendants("None"), n => ((string?)n.Attribute("Update"))?.Contains("Data/test.npy", StringComparison.Ordinal) == true);
        var program = File.ReadAllText(Path.Combine(folder, "Program.cs"));
        Assert.Contains("new InferenceSession(modelPath)", program, StringComparison.Ordinal);
        Assert.Contains("using OrtApp;", program, StringComparison.Ordinal);
        Assert.Contains("namespace OrtApp;", File.ReadAllText(Path.Combine(folder, "NpyFile.cs")), StringComparison.Ordinal);
        Assert.DoesNotContain("JsonDocument", program, StringComparison.Ordinal);
        AssertNoTemplateSyntaxLeft(folder);
    }

    [Fact]
    public void The_none_variant_has_no_runtime_and_shows_the_build_report()
    {
        var folder = templates.Instantiate("onnx-app", "--inference", "none");

        var project = XDocument.Load(Directory.GetFiles(folder, "*.csproj").Single());
        Assert.DoesNotContain(project.Descendants("PackageReference"), r => (string?)r.Attribute("Include") == "Microsoft.ML.OnnxRuntime");
        Assert.Single(project.Descendants("Target"), t => (string?)t.Attribute("Name") == "CopyCompressionReport");
        Assert.False(File.Exists(Path.Combine(folder, "NpyFile.cs")));
        var program = File.ReadAllText(Path.Combine(folder, "Program.cs"));
        Assert.Contains("digits_mlp.verify.json", program, StringComparison.Ordinal);
        Assert.DoesNotContain("InferenceSession", program, StringComparison.Ordinal);
        AssertNoTemplateSyntaxLeft(folder);
    }

    [Fact]
    public void The_package_version_option_is_used()
    {
        var folder = templates.Instantiate("onnx-app", "--compress-build-version", "9.8.7-preview.1");

        var project = XDocument.Load(Directory.GetFiles(folder, "*.csproj").Single());
        Assert.Equal("9.8.7-preview.1", (string?)Assert.Single(project.Descendants("PackageReference"), r => (string?)r.Attribute("Include") == "CompressBuild").Attribute("Version"));
    }

    /// <summary>The version every package of this repository is packed with (Directory.Build.props).</summary>
    internal static string RepositoryVersion() =>
        XDocument.Load(Path.Combine(RepositoryPaths.Root, "Directory.Build.props")).Descendants("Version").Single().Value;

    private static void AssertNoTemplateSyntaxLeft(string folder)
    {
        foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("#if", text, StringComparison.Ordinal);
            Assert.DoesNotContain("#endif", text, StringComparison.Ordinal);
            Assert.DoesNotContain("COMPRESSBUILD_VERSION", text, StringComparison.Ordinal);
        }
    }
}
