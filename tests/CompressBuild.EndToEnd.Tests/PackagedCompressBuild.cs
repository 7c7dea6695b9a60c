using CompressBuild.Testing;

namespace CompressBuild.EndToEnd.Tests;

/// <summary>
/// Once per test run: packs the repository's CompressBuild package into a local feed in a fresh temporary folder,
/// with a NuGet.config naming that feed, the user's packages folder (a valid local feed: it spares downloading ONNX
/// Runtime again) and the usual source, and a private NUGET_PACKAGES folder so a stale CompressBuild 0.1.0 from an
/// earlier run is never used and the first build really restores ONNX Runtime. Every dotnet child runs with a PATH
/// from which Node.js is absent (<see cref="NodeFreePath"/>): nothing in the build may need it.
/// </summary>
public sealed class PackagedCompressBuild : IDisposable
{
    public PackagedCompressBuild()
    {
        Root = Path.Combine(Path.GetTempPath(), "cb-e2e", Guid.NewGuid().ToString("N")[..8]);
        Feed = Path.Combine(Root, "feed");
        Packages = Path.Combine(Root, "nuget-packages");
        Cache = Path.Combine(Root, "cache");
        Directory.CreateDirectory(Feed);
        Directory.CreateDirectory(Packages);
        PathWithoutNode = NodeFreePath.Create(Path.Combine(Root, "path-without-node"), Environment.GetEnvironmentVariable("PATH") ?? "");
        var userPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(Root, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="compressbuild-e2e" value="{Feed}" />
                <add key="user-packages" value="{userPackages}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        // Generated projects must not pick up the repository's Directory.Build.* or central package versions.
        File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(Root, "Directory.Packages.props"), "<Project />");

        var pack = Run(RepositoryPaths.Root, privatePackages: false, ["pack", Path.Combine(RepositoryPaths.Root, "tasks", "CompressBuild.Package", "CompressBuild.Package.csproj"),
            "-c", "Release", "-o", Feed]);
        if (pack.ExitCode != 0 || !File.Exists(Path.Combine(Feed, "CompressBuild.0.1.0.nupkg")))
        {
            throw new InvalidOperationException("Packing CompressBuild failed: " + pack);
        }
    }

    public string Root { get; }

    public string Feed { get; }

    public string Packages { get; }

    public string Cache { get; }

    /// <summary>The PATH every dotnet child gets: the test host's, as symbolic links, without node, npm or npx.</summary>
    public string PathWithoutNode { get; }

    /// <summary>A new folder below the run's root (so the NuGet.config applies); the name may hold spaces and non-ASCII letters.</summary>
    public string NewFolder(string name)
    {
        var path = Path.Combine(Root, name);
        Directory.CreateDirectory(path);
        return path;
    }

    public DotnetRun Run(string workingDirectory, params string[] args) => Run(workingDirectory, privatePackages: true, args);

    /// <summary>A dotnet command on the repository's own projects (packing them), with the user's packages folder.</summary>
    public DotnetRun RunInRepository(params string[] args) => Run(RepositoryPaths.Root, privatePackages: false, args);

    /// <param name="privatePackages">
    /// False for builds of the repository itself: its obj/ restore results must keep pointing at the user's packages
    /// folder, or the next build in the checkout would look for packages in a temp folder that is gone.
    /// </param>
    private DotnetRun Run(string workingDirectory, bool privatePackages, string[] args)
    {
        var environment = new Dictionary<string, string?>
        {
            // The test host's own MSBuild settings must not leak into the builds under test.
            ["MSBuildSDKsPath"] = null,
            ["MSBuildExtensionsPath"] = null,
            ["MSBUILD_EXE_PATH"] = null,
            ["MSBuildLoadMicrosoftTargetsReadOnly"] = null,
            ["DOTNET_HOST_PATH"] = null,
            ["PATH"] = PathWithoutNode,
            ["COMPRESSBUILD_CACHE"] = Cache,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_UI_LANGUAGE"] = "en",
            // No MSBuild node outlives its build: nothing holds the temp folders or the package's task assembly.
            ["MSBUILDDISABLENODEREUSE"] = "1",
        };
        if (privatePackages)
        {
            environment["NUGET_PACKAGES"] = Packages;
        }

        // The dotnet a shell would find on the node-free PATH, as a user's build would.
        var dotnet = NodeFreePath.Resolve("dotnet", PathWithoutNode) ?? ChildProcess.Dotnet;
        var run = ChildProcess.Run(dotnet, args, new ChildOptions { WorkingDirectory = workingDirectory, Environment = environment });
        return new DotnetRun(string.Join(" ", args), run.ExitCode, run.Output) { Lines = run.Lines };
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
