using System.IO.Compression;
using CompressBuild.Engine.Onnx.Proto;
using Google.Protobuf;

namespace CompressBuild.Fuzz.Tests.Generators;

/// <summary>
/// Hostile data for the tiny model (input x [batch, 8] float32): .npy files with lying headers, absurd shapes,
/// odd dtypes, truncation, zero samples; .npz archives with duplicate names or inflation past their arrays;
/// input_0.pb tensors with hostile dims, types and raw data; labels to match or not. Fed to verify, bench, prune.
/// </summary>
internal static class DataFileFamily
{
    private static readonly string[] Shapes =
    [
        "(3, 8)", "(0, 8)", "(36028797018963968, 8)", "(3, 9)", "(3,)", "()", "(3, 8, 1)", "(-1, 8)", "(3, 8L)", "(1099511627776, 1099511627776)", "(3, x)", "",
    ];

    private static readonly string[] Descrs = ["<f4", "<f4", "<f4", ">f4", "<f8", "<i8", "|b1", "<U8", "|O", "<c8", "f4", ""];

    public static FuzzCase Create(Random random, CaseFolder folder)
    {
        var model = Seeds.Write(folder.Input("m.onnx"), Seeds.TinyGemm());
        var (data, description) = random.Next(3) switch
        {
            0 => Npy(random, folder),
            1 => Npz(random, folder),
            _ => Pb(random, folder),
        };
        string[] args = random.Next(4) switch
        {
            0 => ["bench", model, "--data", data, "--iterations", "1", "--warmup", "0"],
            1 => ["prune", model, "-o", folder.Output("o.onnx"), "--sparsity", "0.5", "--data", data],
            _ => ["verify", model, "--reference", model, "--data", data, "--no-latency", .. Labels(random, folder)],
        };
        return new FuzzCase("data-files", $"{description}; {args[0]}", args, args[0] == "prune" ? folder.Output("o.onnx") : null);
    }

    private static string[] Labels(Random random, CaseFolder folder)
    {
        if (random.Next(3) != 0)
        {
            return [];
        }

        var path = folder.Input(random.Next(2) == 0 ? "labels.npy" : "labels.txt");
        if (path.EndsWith(".txt", StringComparison.Ordinal))
        {
            File.WriteAllText(path, random.Pick(new[] { "0\n1\n2\n", "a\nb\n", "", "99999999999999999999\n", "1\n\n2\n3\n" }));
        }
        else
        {
            File.WriteAllBytes(path, Seeds.Npy(random.Pick(new[] { "<i8", "<f4", "<i4" }), random.Pick(new[] { "(3,)", "(2,)", "(3, 1)", "(0,)" }), new byte[24]));
        }

        return ["--labels", path];
    }

    private static (string Path, string Description) Npy(Random random, CaseFolder folder)
    {
        var shape = random.Pick(Shapes);
        var descr = random.Pick(Descrs);
        var bytes = Seeds.Npy(descr, shape, Seeds.Floats(random, random.Next(4) == 0 ? random.Next(24) : 24), version: random.Pick(new[] { 1, 1, 2, 3 }));
        var how = "intact";
        switch (random.Next(5))
        {
            case 0:
                var at = 8 + random.Next(4);
                bytes[at] = (byte)random.Next(256);
                how = $"header length byte {at} changed";
                break;
            case 1:
                Array.Resize(ref bytes, random.Next(bytes.Length));
                how = $"truncated to {bytes.Length}";
                break;
            case 2:
                if (bytes[6] != 1)
                {
                    BitConverter.GetBytes(random.Pick(new[] { 0xFFFFFFFFu, 0x7FFFFFFFu, 0u })).CopyTo(bytes, 8);
                    how = "v2 header length hostile";
                }

                break;
        }

        var path = folder.Input("x.npy");
        File.WriteAllBytes(path, bytes);
        return (path, $".npy descr '{descr}' shape '{shape}' {how}");
    }

    private static (string Path, string Description) Npz(Random random, CaseFolder folder)
    {
        var path = folder.Input("x.npz");
        var how = random.Next(4);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            var names = how == 0 ? new[] { "x.npy", "x.npy" } : how == 1 ? new[] { "y.npy" } : new[] { "x.npy" };
            foreach (var name in names)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                entry.Write(Seeds.Npy("<f4", random.Pick(new[] { "(3, 8)", "(0, 8)" }), Seeds.Floats(random, 24)));
                if (how == 2)
                {
                    // Inflates far past the array its header declares: 8 MiB of zeros from a few KiB.
                    var zeros = new byte[1 << 20];
                    for (var i = 0; i < 8; i++)
                    {
                        entry.Write(zeros);
                    }
                }
            }
        }

        if (how == 3)
        {
            var bytes = File.ReadAllBytes(path);
            bytes[random.Next(bytes.Length)] ^= (byte)(1 + random.Next(255));
            File.WriteAllBytes(path, bytes);
        }

        return (path, $".npz variant {how}");
    }

    private static (string Path, string Description) Pb(Random random, CaseFolder folder)
    {
        var set = Directory.CreateDirectory(Path.Combine(folder.In, "data", "test_data_set_0")).FullName;
        var tensor = new TensorProto { Name = "x", DataType = random.Pick(new[] { 1, 1, 1, 0, 99, 11, 8 }) };
        var dims = random.Pick(new long[][] { [3, 8], [1L << 30, 8], [-1, 8], [1L << 62, 8], [0, 8], [3, 8, 1] });
        tensor.Dims.Add(dims);
        var bytes = random.Pick(new[] { 96, 96, 0, 100, 1 << 16 });
        tensor.RawData = ByteString.CopyFrom(Seeds.Floats(random, bytes / 4));
        var file = Path.Combine(set, "input_0.pb");
        var content = tensor.ToByteArray();
        if (random.Next(4) == 0)
        {
            content[random.Next(content.Length)] ^= 0xFF;
        }

        File.WriteAllBytes(file, content);
        return (Path.Combine(folder.In, "data"), $"input_0.pb type {tensor.DataType} dims [{string.Join(',', dims)}] raw {bytes}");
    }
}
