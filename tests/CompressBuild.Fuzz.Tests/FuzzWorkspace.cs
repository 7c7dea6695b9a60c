using System.Text;
using CompressBuild.Testing;

namespace CompressBuild.Fuzz.Tests;

/// <summary>
/// A temporary root with a canary file beside the case folders: hostile models point their external data at it
/// (by "..", absolute path, symbolic links), and its marker must never show up in any output or message.
/// </summary>
internal sealed class FuzzWorkspace : IDisposable
{
    public static readonly byte[] Marker = "CBCANARY"u8.ToArray();

    private readonly TempFolder root = new("fuzz-" + Guid.NewGuid().ToString("N")[..8]);
    private int next;

    public FuzzWorkspace()
    {
        var canary = new byte[4096];
        for (var i = 0; i < canary.Length; i++)
        {
            canary[i] = Marker[i % Marker.Length];
        }

        File.WriteAllBytes(CanaryPath, canary);
    }

    public string Root => root.Path;

    public string CanaryPath => Path.Combine(root.Path, "canary.bin");

    public CaseFolder NewCase() => new(Path.Combine(root.Path, $"case-{next++:D5}"));

    public static bool HoldsMarker(ReadOnlySpan<byte> bytes) => bytes.IndexOf(Marker) >= 0;

    public static bool HoldsMarker(string text) => text.Contains(Encoding.ASCII.GetString(Marker), StringComparison.Ordinal);

    public void Dispose() => root.Dispose();
}
