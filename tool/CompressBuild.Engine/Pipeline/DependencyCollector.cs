using CompressBuild.Engine.IO;
using CompressBuild.Engine.Reporting;

namespace CompressBuild.Engine.Pipeline;

/// <summary>
/// The input files a run read (model and external data, config, calibration and evaluation data, labels,
/// baseline), recorded where they are resolved and hashed, so the MSBuild task can list exactly these as the
/// target's <c>Inputs</c>: change any of them and the model is built again, change nothing and it is skipped.
/// </summary>
public sealed class DependencyCollector
{
    private readonly SortedSet<string> paths = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>Every recorded file, absolute, ordinal-sorted, once each.</summary>
    public IReadOnlyList<string> Paths
    {
        get
        {
            lock (gate)
            {
                return [.. paths];
            }
        }
    }

    public void Add(string path)
    {
        var full = Path.GetFullPath(path);
        lock (gate)
        {
            paths.Add(full);
        }
    }

    /// <summary>One path per line, written atomically.</summary>
    public void WriteTo(string file) => TextFile.Write(file, string.Concat(Paths.Select(p => p + "\n")));
}
