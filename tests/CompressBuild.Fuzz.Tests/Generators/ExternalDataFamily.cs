using CompressBuild.Engine.Onnx;
using CompressBuild.Testing;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Fuzz.Tests.Generators;

/// <summary>
/// Hostile external data layouts around a model whose weight lives in <c>w.bin</c>: locations that climb out of
/// the folder ("..", absolute paths, links to the canary, linked folders, ORT's memory-address tag), offsets and
/// lengths past the file or past a long, missing files, wrong checksums, folders and FIFOs as data.
/// </summary>
internal static class ExternalDataFamily
{
    private static readonly string[][] Commands =
    [
        ["inspect"],
        ["convert", "-o", "{out}", "--inline"],
        ["convert", "-o", "{out}", "--external-data", "--size-threshold", "16"],
        ["convert", "-o", "{out}", "--external-data", "--per-tensor", "--size-threshold", "16"],
        ["quantize", "-o", "{out}", "--mode", "fp16"],
        ["quantize", "-o", "{out}", "--mode", "int8-dynamic"],
        ["prune", "-o", "{out}", "--sparsity", "0.25"],
        ["bench", "--iterations", "1", "--warmup", "0"],
    ];

    public static FuzzCase Create(Random random, CaseFolder folder, FuzzWorkspace workspace)
    {
        var model = Seeds.TinyGemm();
        var weight = model.Graph.Initializer[0];
        var bytes = weight.RawData.ToByteArray();
        File.WriteAllBytes(folder.Input("w.bin"), bytes);
        var (location, offset, length, checksum, description) = Layout(random, folder, workspace, bytes.Length);
        weight.ClearRawData();
        new ExternalDataReference(location, offset, length, checksum).WriteTo(weight);
        var path = Seeds.Write(folder.Input("m.onnx"), model);
        var output = folder.Output("o.onnx");
        var command = random.Pick(Commands);
        return new FuzzCase("external-data", $"{description}; {string.Join(' ', command)}",
            [command[0], path, .. command[1..].Select(a => a == "{out}" ? output : a)], command.Contains("{out}") ? output : null);
    }

    private static (string Location, long Offset, long? Length, string? Checksum, string Description) Layout(Random random, CaseFolder folder, FuzzWorkspace workspace, int size)
    {
        var canaryFromIn = Path.GetRelativePath(folder.In, workspace.CanaryPath);
        switch (random.Next(16))
        {
            case 0:
                return ("w.bin", 0, size, null, "valid");
            case 1:
                return (canaryFromIn, 0, size, null, "location climbs to the canary");
            case 2:
                return (workspace.CanaryPath, 0, size, null, "absolute location of the canary");
            case 3:
                File.Delete(folder.Input("w.bin"));
                File.CreateSymbolicLink(folder.Input("w.bin"), workspace.CanaryPath);
                return ("w.bin", 0, size, null, "w.bin links to the canary");
            case 4:
                Directory.CreateSymbolicLink(folder.Input("d"), workspace.Root);
                return ("d/canary.bin", 0, size, null, "a linked folder leads to the canary");
            case 5:
                File.CreateSymbolicLink(folder.Input("chain1"), folder.Input("chain2"));
                File.CreateSymbolicLink(folder.Input("chain2"), canaryFromIn);
                return ("chain1", 0, size, null, "a link chain leads to the canary");
            case 6:
                return ("*/_ORT_MEM_ADDR_/*", 0, size, null, "ORT's memory-address tag");
            case 7:
                return ("w.bin", random.Pick(new[] { 1L << 62, long.MaxValue, size, size - 1 }), size, null, "offset past the end");
            case 8:
                return ("w.bin", 0, random.Pick(new long[] { 1L << 62, long.MaxValue, size + 1, 100L << 30 }), null, "length past the end");
            case 9:
                return ("missing.bin", 0, size, null, "missing data file");
            case 10:
                return ("w.bin", 0, size, new string('0', 40), "wrong checksum");
            case 11:
                Directory.CreateDirectory(folder.Input("dir.bin"));
                return ("dir.bin", 0, size, null, "a folder as data");
            case 12:
                if (OperatingSystem.IsLinux())
                {
                    SpecialFiles.Mkfifo(folder.Input("fifo.bin"));
                    return ("fifo.bin", 0, size, null, "a FIFO as data");
                }

                return ("w.bin", 0, size, null, "valid");
            case 13:
                File.CreateSymbolicLink(folder.Input("zero.bin"), "/dev/zero");
                return ("zero.bin", 0, size, null, "a link to /dev/zero");
            case 14:
                return (random.Pick(new[] { "", "sub/../../" + canaryFromIn, "./../" + Path.GetFileName(folder.Path) + "/in/w.bin", "w.bin\0x", "C:\\w.bin" }), 0, size, null, "odd location text");
            default:
                File.CreateSymbolicLink(folder.Input("inside.bin"), "w.bin");
                return ("inside.bin", 0, size, null, "a link that stays inside");
        }
    }
}
