using CompressBuild.Testing;

namespace CompressBuild.Fuzz.Tests.Generators;

/// <summary>
/// Output paths that would destroy something: the input itself (directly, through "..", through a linked
/// folder), its external data, its data and labels, a device node, a FIFO, a folder, a path below a file, an
/// empty path; and ones that must simply work: a 250-character name, an existing regular file.
/// </summary>
internal static class OutputPathFamily
{
    public static FuzzCase Create(Random random, CaseFolder folder)
    {
        var model = Seeds.Write(folder.Input("m.onnx"), Seeds.TinyGemm());
        File.WriteAllBytes(folder.Input("x.npy"), Seeds.Npy("<f4", "(3, 8)", Seeds.Floats(random, 24)));
        var external = random.Next(3) == 0;
        if (external)
        {
            var converted = Path.Combine(folder.Path, "ext.onnx");
            var code = CompressBuild.Tool.CompressCli.Run(["convert", model, "-o", converted, "--external-data", "--size-threshold", "16"], TextWriter.Null, TextWriter.Null);
            if (code == 0)
            {
                File.Move(converted, model, overwrite: true);
                File.Move(converted + ".data", folder.Input("ext.onnx.data"));
            }
        }

        var (output, description) = Pick(random, folder);
        // Only prune reads the data file; for the others it is just an existing file, which an output may replace.
        var command = description == "the data file" ? 1 : random.Next(4);
        string[] args = command switch
        {
            0 => ["quantize", model, "-o", output, "--mode", "int8-dynamic"],
            1 => ["prune", model, "-o", output, "--sparsity", "0.5", "--data", folder.Input("x.npy")],
            2 => ["convert", model, "-o", output, "--external-data", "--size-threshold", "16"],
            _ => ["convert", model, "-o", output],
        };
        return new FuzzCase("output-path", $"{description}{(external ? " (external data)" : "")}; {args[0]}", args, output);
    }

    private static (string Output, string Description) Pick(Random random, CaseFolder folder)
    {
        switch (random.Next(13))
        {
            case 0:
                return (folder.Input("m.onnx"), "the input");
            case 1:
                return (Path.Combine(folder.Out, "..", "in", "m.onnx"), "the input through ..");
            case 2:
                Directory.CreateSymbolicLink(Path.Combine(folder.Out, "link"), folder.In);
                return (Path.Combine(folder.Out, "link", "m.onnx"), "the input through a linked folder");
            case 3:
                return (folder.Input("ext.onnx.data"), "the input's external data");
            case 4:
                return (folder.Input("x.npy"), "the data file");
            case 5:
                return SpecialFiles.TryMknodNull(folder.Output("null")) ? (folder.Output("null"), "a device node") : (folder.Output("o.onnx"), "plain");
            case 6:
                if (OperatingSystem.IsLinux())
                {
                    SpecialFiles.Mkfifo(folder.Output("fifo"));
                    return (folder.Output("fifo"), "a FIFO");
                }

                return (folder.Output("o.onnx"), "plain");
            case 7:
                return (folder.Out, "a folder");
            case 8:
                return (Path.Combine(folder.Input("m.onnx"), "o.onnx"), "below a file");
            case 9:
                return ("", "empty");
            case 10:
                return (folder.Output(new string('n', 245) + ".onnx"), "a 250-character name");
            case 11:
                File.WriteAllText(folder.Output("old.onnx"), "previous output");
                return (folder.Output("old.onnx"), "an existing regular file");
            default:
                File.CreateSymbolicLink(folder.Output("m-link.onnx"), folder.Input("m.onnx"));
                return (folder.Output("m-link.onnx"), "a link to the input");
        }
    }
}
