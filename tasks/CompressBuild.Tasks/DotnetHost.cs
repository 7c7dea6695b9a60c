namespace CompressBuild.Tasks;

/// <summary>The dotnet host that runs the engine: the one running this build (DOTNET_HOST_PATH), else dotnet on PATH.</summary>
internal static class DotnetHost
{
    public static string ExecutableName => Path.DirectorySeparatorChar == '\\' ? "dotnet.exe" : "dotnet";

    public static string? Find(Func<string, string?> environment)
    {
        if (environment("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        foreach (var folder in (environment("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (folder.Trim().Length == 0)
            {
                continue;
            }

            try
            {
                var candidate = Path.Combine(folder.Trim().Trim('"'), ExecutableName);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
            catch (ArgumentException)
            {
                // A PATH entry with characters a path cannot hold: not where dotnet is.
            }
        }

        return null;
    }
}
