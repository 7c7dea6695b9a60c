using Google.Protobuf;

namespace CompressBuild.Fuzz.Tests.Generators;

/// <summary>Byte-level damage to a valid model: flipped bytes, truncation, inserted and deleted runs, then a command on it.</summary>
internal static class ModelBytesFamily
{
    public static FuzzCase Create(Random random, CaseFolder folder)
    {
        var source = random.Next(3) == 0 ? Seeds.Mlp : Seeds.TinyGemm().ToByteArray();
        var bytes = source.ToList();
        var how = random.Next(4);
        var description = how switch
        {
            0 => Flip(random, bytes),
            1 => Truncate(random, bytes),
            2 => Insert(random, bytes),
            _ => Delete(random, bytes),
        };
        var model = folder.Input("m.onnx");
        File.WriteAllBytes(model, bytes.ToArray());
        var output = folder.Output("o.onnx");
        var command = random.Pick(Commands);
        return new FuzzCase("model-bytes", $"{description}; {string.Join(' ', command)}", [command[0], model, .. command[1..].Select(a => a == "{out}" ? output : a)], command.Contains("{out}")
            ? output : null);
    }

    private static readonly string[][] Commands =
    [
        ["inspect"],
        ["inspect", "--json"],
        ["convert", "-o", "{out}"],
        ["convert", "-o", "{out}", "--external-data", "--size-threshold", "64"],
        ["quantize", "-o", "{out}", "--mode", "int8-dynamic"],
        ["quantize", "-o", "{out}", "--mode", "fp16"],
        ["prune", "-o", "{out}", "--sparsity", "0.5"],
    ];

    private static string Flip(Random random, List<byte> bytes)
    {
        var count = 1 + random.Next(8);
        for (var i = 0; i < count && bytes.Count > 0; i++)
        {
            var at = random.Next(bytes.Count);
            bytes[at] = (byte)random.Next(256);
        }

        return $"{count} byte(s) changed";
    }

    private static string Truncate(Random random, List<byte> bytes)
    {
        var keep = random.Next(bytes.Count);
        bytes.RemoveRange(keep, bytes.Count - keep);
        return $"truncated to {keep} bytes";
    }

    private static string Insert(Random random, List<byte> bytes)
    {
        var at = random.Next(bytes.Count);
        var run = Enumerable.Range(0, 1 + random.Next(16)).Select(_ => (byte)random.Next(256)).ToArray();
        bytes.InsertRange(at, run);
        return $"{run.Length} byte(s) inserted at {at}";
    }

    private static string Delete(Random random, List<byte> bytes)
    {
        var at = random.Next(bytes.Count);
        var count = Math.Min(bytes.Count - at, 1 + random.Next(16));
        bytes.RemoveRange(at, count);
        return $"{count} byte(s) deleted at {at}";
    }
}
