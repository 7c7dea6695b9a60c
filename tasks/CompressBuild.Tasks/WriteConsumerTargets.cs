using Microsoft.Build.Framework;

namespace CompressBuild.Tasks;

/// <summary>
/// Writes the <c>buildTransitive/&lt;PackageId&gt;.targets</c> packed into a project's own package. NuGet copies
/// contentFiles only to projects that reference the package directly (contentFiles are private assets by
/// default), so this file gives every referencing project, also through other packages, the compressed models
/// in its output; a project that already has a model from contentFiles keeps that one item.
/// </summary>
public sealed class WriteConsumerTargets : Microsoft.Build.Utilities.Task
{
    /// <summary>The packed models, with PackagePath (file path inside the package) and TargetPath metadata.</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = [];

    [Required]
    public string PackageId { get; set; } = "";

    [Required]
    public string File { get; set; } = "";

    public override bool Execute()
    {
        FileUpdate.WriteIfChanged(File, ConsumerTargetsFile.Build(PackageId, Models.Select(m => (m.GetMetadata("PackagePath"), m.GetMetadata("TargetPath")))));
        return true;
    }
}
