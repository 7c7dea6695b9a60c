using System.Xml.Linq;
using Xunit;

namespace CompressBuild.Tasks.Tests;

public class ConsumerTargetsFileTests
{
    [Fact]
    public void The_consumer_targets_add_each_packed_model_at_its_target_path_unless_contentFiles_already_did()
    {
        var text = ConsumerTargetsFile.Build("My.Models-Pkg", [("contentFiles/any/any/Models/b & c.onnx", "Models/b & c.onnx"), ("contentFiles/any/any/a.onnx", "a.onnx")]);

        var project = XDocument.Parse(text).Root!;
        var target = Assert.Single(project.Elements("Target"));
        Assert.Equal("_CompressBuildModelsOf_My_Models_Pkg", target.Attribute("Name")!.Value);
        Assert.Equal("AssignTargetPaths", target.Attribute("BeforeTargets")!.Value);
        var models = target.Descendants("_CompressBuildModelOf_My_Models_Pkg").ToList();
        // Ordinal order of the target paths, whatever order the items came in: the file is the same every pack.
        Assert.Equal(["Models/b & c.onnx", "a.onnx"], models.Select(m => m.Attribute("TargetPath")!.Value));
        Assert.Contains("../contentFiles/any/any/Models/b & c.onnx", models[0].Attribute("Include")!.Value, StringComparison.Ordinal);
        var none = Assert.Single(target.Descendants("None"));
        Assert.Equal("PreserveNewest", none.Attribute("CopyToOutputDirectory")!.Value);
        Assert.Contains("_CompressBuildPresent_My_Models_Pkg", none.Attribute("Condition")!.Value, StringComparison.Ordinal);
    }
}
