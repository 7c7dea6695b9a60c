namespace CompressBuild.Fuzz.Tests;

/// <summary>
/// One case's folder: inputs under <c>in/</c>, outputs under <c>out/</c>. The workspace root above it holds the
/// canary, which no case may read.
/// </summary>
internal sealed class CaseFolder
{
    public CaseFolder(string path)
    {
        Path = path;
        Directory.CreateDirectory(In);
        Directory.CreateDirectory(Out);
    }

    public string Path { get; }

    public string In => System.IO.Path.Combine(Path, "in");

    public string Out => System.IO.Path.Combine(Path, "out");

    public string Input(string name) => System.IO.Path.Combine(In, name);

    public string Output(string name) => System.IO.Path.Combine(Out, name);
}
