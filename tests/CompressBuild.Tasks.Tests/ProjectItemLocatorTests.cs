using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tasks.Tests;

public class ProjectItemLocatorTests
{
    private const string Project = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
          </PropertyGroup>
          <ItemGroup>
            <OnnxModel Include="Models/a.onnx" Quantize="int8-dynamic" />
            <OnnxModel Include="Models\b.onnx;Models/c.onnx"
                       Quantize="int8-static"
                       Sparsity="abc">
              <MaxAccuracyDrop>1%</MaxAccuracyDrop>
            </OnnxModel>
            <OnnxModel Include="Other/*.onnx" />
          </ItemGroup>
        </Project>
        """;

    [Fact]
    public void An_item_is_found_by_its_literal_include_with_the_column_of_its_element()
    {
        using var folder = new TempFolder();
        var project = Write(folder);

        var at = ProjectItemLocator.Find(project, "OnnxModel", "Models/a.onnx", folder.File("Models/a.onnx"));

        Assert.NotNull(at);
        Assert.Equal(project, at.File);
        Assert.Equal(6, at.Line);
        Assert.Equal(5, at.Column);
        Assert.Equal($"{project}(6,5)", at.ToString());
    }

    [Fact]
    public void An_item_of_a_multi_file_include_is_found_by_its_full_path_and_its_metadata_by_attribute_or_child()
    {
        using var folder = new TempFolder();
        var project = Write(folder);

        var at = ProjectItemLocator.Find(project, "OnnxModel", Path.Combine(folder.Path, "Models", "c.onnx"), Path.Combine(folder.Path, "Models", "c.onnx"));

        Assert.NotNull(at);
        Assert.Equal(7, at.Line);
        Assert.Equal((9, 16), (at.For("Sparsity").Line, at.For("Sparsity").Column));
        Assert.Equal((10, 7), (at.For("MaxAccuracyDrop").Line, at.For("MaxAccuracyDrop").Column));
        Assert.Equal((7, 5), (at.For("Labels").Line, at.For("Labels").Column));
    }

    [Fact]
    public void Backslashes_in_the_include_match_the_evaluated_spec()
    {
        using var folder = new TempFolder();
        var project = Write(folder);

        var at = ProjectItemLocator.Find(project, "OnnxModel", "Models/b.onnx", folder.File("Models/b.onnx"));

        Assert.Equal(7, at?.Line);
    }

    [Fact]
    public void A_wildcard_include_or_a_missing_file_gives_no_location()
    {
        using var folder = new TempFolder();
        var project = Write(folder);

        Assert.Null(ProjectItemLocator.Find(project, "OnnxModel", "Other/x.onnx", folder.File("Other/x.onnx")));
        Assert.Null(ProjectItemLocator.Find(folder.File("missing.csproj"), "OnnxModel", "Models/a.onnx", folder.File("Models/a.onnx")));
    }

    [Fact]
    public void The_origin_form_drops_what_is_unknown()
    {
        Assert.Equal("p.csproj", new ItemLocation("p.csproj", 0, 0).ToString());
        Assert.Equal("p.csproj(3)", new ItemLocation("p.csproj", 3, 0).ToString());
    }

    private static string Write(TempFolder folder)
    {
        var project = folder.File("app.csproj");
        File.WriteAllText(project, Project.Replace("\r\n", "\n", StringComparison.Ordinal));
        return project;
    }
}
