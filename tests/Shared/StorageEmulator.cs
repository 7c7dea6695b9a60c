using System.Text.RegularExpressions;

namespace CompressBuild.Testing;

/// <summary>
/// A storage emulator (Azurite or s3rver, installed by tests/emulators/install.sh) running as a child process on a
/// free 127.0.0.1 port chosen by the OS, with its data in a temporary folder; stopped and removed on dispose.
/// <see cref="Environment"/> holds what a cache client needs to reach it (endpoint and credentials).
/// </summary>
internal sealed partial class StorageEmulator : IDisposable
{
    /// <summary>Azurite's well-known development account (public, documented by Microsoft).</summary>
    public const string AzuriteAccount = "devstoreaccount1";
    public const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    public const string Bucket = "cache";

    private readonly RunningChild process;
    private readonly string data;

    private StorageEmulator(StorageEmulatorKind kind, RunningChild process, string data, int port)
    {
        Kind = kind;
        this.process = process;
        this.data = data;
        Port = port;
    }

    public StorageEmulatorKind Kind { get; }

    public int Port { get; }

    public static string InstallRoot => System.Environment.GetEnvironmentVariable("COMPRESSBUILD_EMULATORS") is { Length: > 0 } root
        ? root
        : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".cache", "compressbuild", "test-emulators");

    /// <summary>Why the emulator cannot run here, or null when it can.</summary>
    public static string? MissingReason(StorageEmulatorKind kind)
    {
        if (FindNode() is null)
        {
            return "node is not on PATH: the remote cache tests need Node.js for the storage emulators";
        }

        return File.Exists(Script(kind)) ? null : $"{Script(kind)} is missing: run tests/emulators/install.sh (tests/test.sh does)";
    }

    public static StorageEmulator Start(StorageEmulatorKind kind)
    {
        var data = Path.Combine(Path.GetTempPath(), "cb-emulator-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var node = FindNode() ?? throw new InvalidOperationException(MissingReason(kind));
        string[] arguments = kind == StorageEmulatorKind.Azurite
            ? ["--blobHost", "127.0.0.1", "--blobPort", "0", "--location", data, "--skipApiVersionCheck", "--loose", "--disableTelemetry"]
            : ["-d", data, "-a", "127.0.0.1", "-p", "0", "--configure-bucket", Bucket];
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Read(string line)
        {
            if (ListeningPort().Match(line) is { Success: true } match)
            {
                port.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var process = ChildProcess.Start(node, [Script(kind), .. arguments], new ChildOptions { OnLine = Read });
        var first = Task.WhenAny(port.Task, process.Completion, Task.Delay(TimeSpan.FromSeconds(60))).GetAwaiter().GetResult();
        if (first != port.Task)
        {
            process.Kill();
            var log = process.WaitForExit().Output;
            process.Dispose();
            throw new InvalidOperationException(first == process.Completion
                ? $"{kind} exited before listening: {log}"
                : $"{kind} did not start listening within 60 s: {log}");
        }

        return new StorageEmulator(kind, process, data, port.Task.Result);
    }

    /// <summary>The cache URL of a fresh area of this emulator: tests sharing one emulator do not see each other's entries.</summary>
    public string CacheUrl(string prefix) => Kind == StorageEmulatorKind.Azurite ? $"azblob://{AzuriteAccount}/cache/{prefix}" : $"s3://{Bucket}/{prefix}";

    /// <summary>What the cache client reads from the environment to reach this emulator.</summary>
    public Dictionary<string, string> Environment(bool wrongCredentials = false) => Kind == StorageEmulatorKind.Azurite
        ? new()
        {
            ["AZURE_STORAGE_CONNECTION_STRING"] =
                $"DefaultEndpointsProtocol=http;AccountName={AzuriteAccount};AccountKey={(wrongCredentials ? Convert.ToBase64String(new byte[64]) : AzuriteKey)};"
                    + $"BlobEndpoint=http://127.0.0.1:{Port}/{AzuriteAccount};",
        }
        : new()
        {
            ["COMPRESSBUILD_CACHE_ENDPOINT"] = $"http://127.0.0.1:{Port}",
            ["AWS_ACCESS_KEY_ID"] = wrongCredentials ? "NOT-A-KEY" : "S3RVER",
            ["AWS_SECRET_ACCESS_KEY"] = wrongCredentials ? "NOT-A-SECRET" : "S3RVER",
            ["AWS_REGION"] = "us-east-1",
        };

    /// <summary>Stops the service (the "remote goes down" case); its port then refuses connections.</summary>
    public void Stop()
    {
        process.Kill();
        process.WaitForExit();
    }

    public void Dispose()
    {
        Stop();
        process.Dispose();
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Script(StorageEmulatorKind kind) => kind == StorageEmulatorKind.Azurite
        ? Path.Combine(InstallRoot, "azurite-3.37.0", "node_modules", "azurite", "dist", "src", "blob", "main.js")
        : Path.Combine(InstallRoot, "s3rver-3.7.1", "node_modules", "s3rver", "bin", "s3rver.js");

    private static string? FindNode() => (System.Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, OperatingSystem.IsWindows() ? "node.exe" : "node"))
        .FirstOrDefault(File.Exists);

    [GeneratedRegex(@"(?:listens on http://127\.0\.0\.1:|listening on 127\.0\.0\.1:)(\d+)")]
    private static partial Regex ListeningPort();
}
