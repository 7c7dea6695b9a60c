using System.Globalization;
using Microsoft.Build.Framework;

namespace CompressBuild.Tasks;

/// <summary>Warns (CB4110) when the package `dotnet pack` produced is larger than the feed will take.</summary>
public sealed class CheckPackageSize : Microsoft.Build.Utilities.Task
{
    [Required]
    public string Package { get; set; } = "";

    /// <summary>Megabytes (10^6 bytes, as nuget.org counts them); 0 or less turns the check off.</summary>
    public string LimitMB { get; set; } = "250";

    public string ProjectFile { get; set; } = "";

    public override bool Execute()
    {
        if (!double.TryParse(LimitMB, NumberStyles.Float, CultureInfo.InvariantCulture, out var limit))
        {
            Log.LogError(null, TaskCodes.InvalidMetadataNumber, TaskCodes.InvalidMetadataNumber, ProjectFile, 0, 0, 0, 0,
                $"CompressBuildPackageSizeLimitMB=\"{LimitMB}\" is not a number of megabytes.");
            return false;
        }

        if (limit <= 0 || !File.Exists(Package))
        {
            return true;
        }

        var megabytes = new FileInfo(Package).Length / 1e6;
        if (megabytes > limit)
        {
            Log.LogWarning(null, TaskCodes.PackageTooLarge, TaskCodes.PackageTooLarge, ProjectFile, 0, 0, 0, 0,
                string.Format(CultureInfo.InvariantCulture,
                    "{0} is {1:0.0} MB, over the {2:0.#} MB limit (CompressBuildPackageSizeLimitMB; nuget.org takes at most 250 MB). Compress the models further (a MaxSizeMB budget), ship them in " +
                        "a separate package, or download them at run time.",
                    Path.GetFileName(Package), megabytes, limit));
        }

        return true;
    }
}
