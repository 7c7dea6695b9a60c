using System.Diagnostics;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Tasks.Tests.Build;

/// <summary>
/// The CustomBefore/AfterCompressBuildProps|Targets hooks of tasks/build/: evaluated by the real MSBuild
/// (<c>dotnet msbuild -getProperty</c>) on a project that imports the build files as the package does.
/// </summary>
public sealed class ImportHookTests : IDisposable
{
    private readonly TempFolder temp = new();

    [Fact]
    public void Each_hook_is_imported_at_its_place_around_the_defaults()
    {
        // Each hook appends its name and what it sees of a default set by the file it is wrapped around.
        Hook("before.props", "before-props:$(EnableCompressBuild)");
        Hook("after.props", "after-props:$(EnableCompressBuild)");
        Hook("before.targets", "before-targets:$(CompressBuildBeforeTargets)");
        Hook("after.targets", "after-targets:$(TargetsForTfmSpecificContentInPackage)");
        var project = Project("before.props", "after.props", "before.targets", "after.targets");

        var trace = Evaluate(project, "Trace");

        Assert.Equal(";before-props:;after-props:true;before-targets:;after-targets:;_CompressBuildPackageContent", trace);
    }

    [Fact]
    public void Hooks_naming_files_that_do_not_exist_are_skipped()
    {
        var project = Project("none.props", "none.props", "none.targets", "none.targets");

        Assert.Equal("true", Evaluate(project, "EnableCompressBuild"));
    }

    public void Dispose() => temp.Dispose();

    private void Hook(string name, string entry) => File.WriteAllText(temp.File(name), $"""
        <Project>
          <PropertyGroup><Trace>$(Trace);{entry}</Trace></PropertyGroup>
        </Project>
        """);

    private string Project(string beforeProps, string afterProps, string beforeTargets, string afterTargets)
    {
        var build = Path.Combine(RepositoryPaths.Root, "tasks", "build");
        var path = temp.File("hooks.proj");
        File.WriteAllText(path, $"""
            <Project>
              <PropertyGroup>
                <CustomBeforeCompressBuildProps>{temp.File(beforeProps)}</CustomBeforeCompressBuildProps>
                <CustomAfterCompressBuildProps>{temp.File(afterProps)}</CustomAfterCompressBuildProps>
                <CustomBeforeCompressBuildTargets>{temp.File(beforeTargets)}</CustomBeforeCompressBuildTargets>
                <CustomAfterCompressBuildTargets>{temp.File(afterTargets)}</CustomAfterCompressBuildTargets>
              </PropertyGroup>
              <Import Project="{Path.Combine(build, "CompressBuild.props")}" />
              <Import Project="{Path.Combine(build, "CompressBuild.targets")}" />
            </Project>
            """);
        return path;
    }

    private static string Evaluate(string project, string property)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "msbuild", project, "-nologo", "-getProperty:" + property },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(project)!,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, output + error.Result);
        return output.Trim();
    }
}
