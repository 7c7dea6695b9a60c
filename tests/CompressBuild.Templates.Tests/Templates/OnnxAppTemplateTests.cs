using System.Globalization;
using System.Numerics.Tensors;
using System.Xml.Linq;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Templates.Tests.Templates;

/// <summary>
/// <c>dotnet new onnx-app</c>: the project it writes (item, package references, data, Program.cs per inference
/// choice). Building it with compression needs the CompressBuild package (see the EndToEnd OnnxAppTemplateBuildTests);
/// here the onnxruntime variant is built and run without it, on the original model.
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
        var projectPath = Path.Combine(folder, "OrtApp.csproj");
        var project = XDocument.Load(projectPath);
        Assert.Contains(project.Descendants("PackageReference"), r => (string?)r.Attribute("Include") == "Microsoft.ML.OnnxRuntime");
        Assert.Contains(project.Descendants("None"), n => ((string?)n.Attribute("Update"))?.Contains("Data/test.npy", StringComparison.Ordinal) == true);
        AssertNoTemplateSyntaxLeft(folder);

        // The app as generated, less the build-time compression (the CompressBuild package is not packed here; the
        // EndToEnd OnnxAppTemplateBuildTests build it with the package): the original model is copied to the output
        // instead, so the app must print exactly the accuracy the fixture's own labels give that model.
        RunWithoutCompressBuild(project, projectPath);
        var run = DotnetProcess.Run(folder, "run", "-c", "Release", "--nologo");

        Assert.True(run.ExitCode == 0, run.ToString());
        var expected = string.Create(CultureInfo.InvariantCulture, $"classified 497 held-out digits: top-1 accuracy {100 * FixtureAccuracy():0.00}%");
        Assert.Contains(expected, run.StandardOutput, StringComparison.Ordinal);
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

    /// <summary>
    /// Drops the CompressBuild reference (its OnnxModel item is then inert), copies the model to the output as the
    /// package would, and takes the ONNX Runtime version this repository restores (already in the packages folder).
    /// </summary>
    private static void RunWithoutCompressBuild(XDocument project, string path)
    {
        project.Descendants("PackageReference").Single(r => (string?)r.Attribute("Include") == "CompressBuild").Remove();
        var runtimeVersion = XDocument.Load(Path.Combine(RepositoryPaths.Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(p => (string?)p.Attribute("Include") == "Microsoft.ML.OnnxRuntime").Attribute("Version")!.Value;
        project.Descendants("PackageReference").Single(r => (string?)r.Attribute("Include") == "Microsoft.ML.OnnxRuntime").SetAttributeValue("Version", runtimeVersion);
        project.Root!.Add(new XElement("ItemGroup", new XElement("None", new XAttribute("Include", "Models/digits_mlp.onnx"), new XAttribute("CopyToOutputDirectory", "PreserveNewest"))));
        project.Save(path);
    }

    /// <summary>Top-1 accuracy of the fixture MLP on the held-out digits against their labels, computed here with ONNX Runtime.</summary>
    private static double FixtureAccuracy()
    {
        var npy = File.ReadAllBytes(Path.Combine(RepositoryPaths.Digits, "test_x_flat.npy"));
        Assert.Equal(1, npy[6]); // .npy version 1: a 2-byte header length at offset 8
        var labels = Labels.Load(Path.Combine(RepositoryPaths.Digits, "test_labels.npy"));
        var images = npy.AsSpan(10 + BitConverter.ToUInt16(npy, 8));
        using var session = ModelSessions.Open(Path.Combine(RepositoryPaths.Digits, "mlp.onnx"));
        var input = HostTensor.FromBytes("input", (int)TensorProto.Types.DataType.Float, [labels.Length, 64], images);
        var logits = session.Run([input])[0].AsSpan<float>();
        var correct = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var row = logits.Slice(i * 10, 10);
            correct += row.IndexOf(TensorPrimitives.Max(row)) == labels[i] ? 1 : 0;
        }

        return (double)correct / labels.Length;
    }

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
