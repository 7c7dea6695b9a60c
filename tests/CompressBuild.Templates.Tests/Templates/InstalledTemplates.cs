using CompressBuild.Testing;

namespace CompressBuild.Templates.Tests.Templates;

/// <summary>
/// The templates package packed from this checkout and installed into a private template hive, once per test
/// class, so no test touches the user's own `dotnet new` templates. Folders have spaces in their names on purpose.
/// </summary>
public sealed class InstalledTemplates : IDisposable
{
    private readonly TempFolder temp = new("templates " + Guid.NewGuid().ToString("N")[..8]);

    public InstalledTemplates()
    {
        var feed = temp.File("local feed");
        DotnetProcess.Succeed(RepositoryPaths.Root, "pack", Path.Combine("templates", "CompressBuild.Templates.csproj"), "-c", "Release", "-o", feed, "--nologo");
        PackagePath = Directory.GetFiles(feed, "CompressBuild.Templates.*.nupkg").Single();
        Hive = temp.File("template hive");
        DotnetProcess.Succeed(temp.Path, "new", "install", PackagePath, "--debug:custom-hive", Hive);
    }

    public string PackagePath { get; }

    public string Hive { get; }

    /// <summary>Runs <c>dotnet new</c> against the private hive into a new folder (with a space and a non-ASCII letter) and returns that folder.</summary>
    public string Instantiate(string template, params string[] options)
    {
        var output = temp.File(Path.Combine($"new {template} é {Guid.NewGuid().ToString("N")[..6]}", "out put"));
        DotnetProcess.Succeed(temp.Path, ["new", template, "-o", output, "--debug:custom-hive", Hive, .. options]);
        return output;
    }

    public void Dispose() => temp.Dispose();
}
