using CompressBuild.Engine.Runtime;
using Xunit;

namespace CompressBuild.Engine.Tests.Runtime;

/// <summary>The order in which the native library is looked for (a pure function of the location and environment).</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public class OnnxRuntimeLibraryTests
{
    private const string Base = "/opt/tool";
    private const string Packages = "/home/u/.nuget/packages";
    private static readonly string Rid = OnnxRuntimeLibrary.RuntimeIdentifier;
    private static readonly string Lib = OnnxRuntimeLibrary.LibraryFileName;

    private static IReadOnlyList<string> Candidates(OnnxRuntimeLocation location, Dictionary<string, string>? environment = null, string? packages = Packages) =>
        OnnxRuntimeLibrary.Candidates(location, n => environment is not null && environment.TryGetValue(n, out var v) ? v : null, Base, () => packages);

    [Fact]
    public void By_default_the_copy_beside_the_tool_comes_first_then_the_default_package_at_the_managed_version()
    {
        var candidates = Candidates(OnnxRuntimeLocation.Default);

        Assert.Equal(
        [
            Path.Combine(Base, "runtimes", Rid, "native", Lib),
            Path.Combine(Base, Lib),
            Path.Combine(Packages, "microsoft.ml.onnxruntime", OnnxRuntimeLibrary.ManagedVersion, "runtimes", Rid, "native", Lib),
        ], candidates);
    }

    [Fact]
    public void A_chosen_package_and_version_come_first_lower_cased_as_restore_writes_them()
    {
        var candidates = Candidates(OnnxRuntimeLocation.Default with { Package = "Microsoft.ML.OnnxRuntime.Gpu.Linux", Version = "1.31.0-RC1", PackagesFolder = "/restore" });

        Assert.Equal(Path.Combine("/restore", "microsoft.ml.onnxruntime.gpu.linux", "1.31.0-rc1", "runtimes", Rid, "native", Lib), candidates[0]);
        Assert.Equal(Path.Combine(Base, "runtimes", Rid, "native", Lib), candidates[1]);
    }

    [Fact]
    public void The_msbuild_tasks_environment_variables_choose_the_package_like_options()
    {
        var candidates = Candidates(OnnxRuntimeLocation.Default, new()
        {
            [OnnxRuntimeLibrary.PackageEnvironmentVariable] = "Intel.ML.OnnxRuntime.OpenVino",
            [OnnxRuntimeLibrary.VersionEnvironmentVariable] = "1.22.0",
            [OnnxRuntimeLibrary.PackagesFolderEnvironmentVariable] = "/p",
        });

        Assert.Equal(Path.Combine("/p", "intel.ml.onnxruntime.openvino", "1.22.0", "runtimes", Rid, "native", Lib), candidates[0]);
    }

    [Fact]
    public void The_nuget_packages_folder_comes_from_nugets_own_rule_when_none_is_given()
    {
        var candidates = Candidates(OnnxRuntimeLocation.Default with { Version = "1.31.1" }, packages: "/from-nuget-config");

        Assert.StartsWith(Path.Combine("/from-nuget-config", "microsoft.ml.onnxruntime", "1.31.1"), candidates[0], StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_path_is_the_only_candidate_and_wins_over_the_environment()
    {
        using var folder = new CompressBuild.Testing.TempFolder();

        var fromOption = Candidates(OnnxRuntimeLocation.Default with { ExplicitPath = folder.Path }, new() { [OnnxRuntimeLibrary.EnvironmentVariable] = "/env/lib.so" });
        var fromEnvironment = Candidates(OnnxRuntimeLocation.Default, new() { [OnnxRuntimeLibrary.EnvironmentVariable] = "/env/libonnxruntime.so" });

        Assert.Equal([Path.Combine(folder.Path, Lib)], fromOption);
        Assert.Equal([Path.GetFullPath("/env/libonnxruntime.so")], fromEnvironment);
    }

    [Fact]
    public void The_default_packages_folder_follows_NUGET_PACKAGES()
    {
        var before = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        try
        {
            Environment.SetEnvironmentVariable("NUGET_PACKAGES", "/custom/packages");
            Assert.Equal(Path.GetFullPath("/custom/packages"), Path.GetFullPath(OnnxRuntimeLibrary.DefaultPackagesFolder()!));
        }
        finally
        {
            Environment.SetEnvironmentVariable("NUGET_PACKAGES", before);
        }
    }
}
