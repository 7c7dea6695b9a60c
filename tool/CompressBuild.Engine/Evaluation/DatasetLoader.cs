using System.IO.Compression;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// Opens evaluation or calibration data in the forms the design names: a .npy file stacked on the first axis
/// (single-input models), a .npz archive or a folder of &lt;input&gt;.npy files (one array per input), or ONNX's
/// test_data_set_N/input_K.pb folders. Every input is checked against the model: a wrong type or shape is a
/// CB2011 error naming the input, what the model expects and what the data holds.
/// </summary>
public static class DatasetLoader
{
    /// <summary>
    /// Like <see cref="Open"/>, for data a verdict rests on (evaluation, comparison, timing): zero samples is
    /// CB2016, because every metric over nothing reads as a perfect score.
    /// </summary>
    public static Dataset OpenNonEmpty(string path, IReadOnlyList<ValueInfo> inputs)
    {
        var dataset = Open(path, inputs);
        if (dataset.Count == 0)
        {
            throw new CompressBuildException(DiagnosticCodes.EvaluationDataEmpty, "the data holds no samples (its first axis is 0); give at least one sample.", path);
        }

        return dataset;
    }

    public static Dataset Open(string path, IReadOnlyList<ValueInfo> inputs)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            return Path.GetExtension(full).ToLowerInvariant() switch
            {
                ".npy" => FromArrays(path, inputs, inputs.Count == 1 ? [NpyFile.Open(full)] : throw MultiInputNeedsArchive(path, inputs)),
                ".npz" => FromArrays(path, inputs, OpenArchive(full, path, inputs)),
                ".pb" => FromTestDataSets(path, inputs, [Path.GetDirectoryName(full)!]),
                _ => throw new CompressBuildException(DiagnosticCodes.DataInvalid, "unknown data format: expected .npy, .npz, or a folder of test_data_set_N / input_K.pb files.", path),
            };
        }

        if (!Directory.Exists(full))
        {
            throw new CompressBuildException(DiagnosticCodes.DataInvalid, "data file or folder not found.", path);
        }

        var sets = Directory.GetDirectories(full, "test_data_set_*").OrderBy(d => SetNumber(d)).ToList();
        if (sets.Count > 0)
        {
            return FromTestDataSets(path, inputs, sets);
        }

        if (Directory.GetFiles(full, "input_*.pb").Length > 0)
        {
            return FromTestDataSets(path, inputs, [full]);
        }

        var arrays = inputs.Select(i => Path.Combine(full, i.Name + ".npy")).ToList();
        var missing = inputs.Where((_, k) => !File.Exists(arrays[k])).Select(i => i.Name + ".npy").ToList();
        if (missing.Count > 0)
        {
            throw new CompressBuildException(DiagnosticCodes.DataInvalid,
                $"the folder has no test_data_set_N folders, no input_K.pb files, and lacks {string.Join(", ", missing)} (one .npy per model input).", path);
        }

        return FromArrays(path, inputs, arrays.Select(NpyFile.Open).ToList());
    }

    private static List<NpyFile> OpenArchive(string full, string path, IReadOnlyList<ValueInfo> inputs)
    {
        Func<Stream>[] entries;
        string[] names;
        try
        {
            using var zip = new ZipArchive(InputFile.OpenRead(full, displayName: path), ZipArchiveMode.Read);
            var arrays = zip.Entries.Where(e => e.FullName.EndsWith(".npy", StringComparison.Ordinal)).ToList();
            if (arrays.GroupBy(e => e.FullName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                throw new CompressBuildException(DiagnosticCodes.DataInvalid, $"the archive holds {twice.Count()} entries named '{twice.Key}'; an .npz has one array per name.", path);
            }

            var byName = arrays.ToDictionary(e => e.FullName[..^4], StringComparer.Ordinal);
            if (inputs.Count == 1 && byName.Count == 1)
            {
                byName = new() { [inputs[0].Name] = byName.Values.Single() };
            }

            var missing = inputs.Where(i => !byName.ContainsKey(i.Name)).Select(i => i.Name).ToList();
            if (missing.Count > 0)
            {
                throw new CompressBuildException(DiagnosticCodes.DataDoesNotMatchModel,
                    $"the archive has no array for input(s) {string.Join(", ", missing)}; it holds {string.Join(", ", byName.Keys.Order(StringComparer.Ordinal))}.", path);
            }

            names = inputs.Select(i => i.Name).ToArray();

            // Entries of an .npz are usually deflated, which is not seekable: each array is inflated once here, into memory
            // when small and into an anonymous temporary file when large, then read a sample at a time.
            entries = names.Select(n => NpzEntry.Open(byName[n], $"{path}:{n}.npy")).ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new CompressBuildException(DiagnosticCodes.DataInvalid, $"not a valid .npz (zip) archive: {e.Message}", path, inner: e);
        }

        return names.Select((n, k) => NpyFile.Open($"{path}:{n}.npy", entries[k])).ToList();
    }

    private static Dataset FromArrays(string path, IReadOnlyList<ValueInfo> inputs, List<NpyFile> arrays)
    {
        var counts = arrays.Select(a => a.SampleCount).Distinct().ToList();
        if (counts.Count != 1)
        {
            throw new CompressBuildException(DiagnosticCodes.DataDoesNotMatchModel,
                $"the arrays hold different numbers of samples ({string.Join(", ", arrays.Select((a, k) => $"{inputs[k].Name}: {a.SampleCount}"))}).", path);
        }

        // An array whose rank is one more than the input's is stacked samples; the same rank means it already
        // carries a batch axis of its own, so each sample keeps a leading axis of 1.
        var keepsBatchAxis = new bool[arrays.Count];
        for (var k = 0; k < arrays.Count; k++)
        {
            var input = inputs[k];
            var array = arrays[k];
            keepsBatchAxis[k] = array.Shape.Length == input.Shape.Count;
            var sampleShape = keepsBatchAxis[k] ? [1, .. array.SampleShape] : array.SampleShape;
            Check(input, array.ElementType, sampleShape, array.DisplayName, $" (one sample of the {TensorShape.Format(array.Shape)} array)");
        }

        return new Dataset(path, checked((int)counts[0]), i => arrays
            .Select((a, k) => keepsBatchAxis[k] ? a.ReadSamples(inputs[k].Name, i, 1) : a.ReadSample(inputs[k].Name, i))
            .ToList());
    }

    private static Dataset FromTestDataSets(string path, IReadOnlyList<ValueInfo> inputs, List<string> sets)
    {
        foreach (var set in sets)
        {
            var files = Directory.GetFiles(set, "input_*.pb");
            if (files.Length != inputs.Count)
            {
                throw new CompressBuildException(DiagnosticCodes.DataDoesNotMatchModel,
                    $"{Path.GetFileName(set)} has {files.Length} input_K.pb file(s) but the model has {inputs.Count} input(s) ({string.Join(", ", inputs.Select(i => i.Name))}).", path);
            }
        }

        IReadOnlyList<HostTensor> Read(int index)
        {
            var tensors = new List<HostTensor>(inputs.Count);
            for (var k = 0; k < inputs.Count; k++)
            {
                var file = Path.Combine(sets[index], $"input_{k}.pb");
                TensorProto proto;
                try
                {
                    proto = TensorProto.Parser.ParseFrom(InputFile.ReadAllBytes(file, Array.MaxLength, DiagnosticCodes.DataTooLarge));
                }
                catch (Google.Protobuf.InvalidProtocolBufferException e)
                {
                    throw new CompressBuildException(DiagnosticCodes.DataInvalid, "not a valid TensorProto file.", file, inner: e);
                }

                var tensor = HostTensor.FromProto(proto, inputs[k].Name, Path.GetDirectoryName(file), file);
                Check(inputs[k], tensor.ElementType, tensor.Shape, file);
                tensors.Add(tensor);
            }

            return tensors;
        }

        if (sets.Count > 0)
        {
            _ = Read(0);
        }

        return new Dataset(path, sets.Count, Read);
    }

    /// <summary>Fails with CB2011 unless the data's element type and shape fit the input (symbolic dims fit anything).</summary>
    public static void Check(ValueInfo input, int elementType, IReadOnlyList<long> shape, string file, string detail = "")
    {
        if (!input.IsTensor)
        {
            throw new CompressBuildException(DiagnosticCodes.DataDoesNotMatchModel, $"input '{input.Name}' is a {input.Kind}; only tensor inputs can be fed from data files.", file);
        }

        var fits = elementType == input.ElementType && shape.Count == input.Shape.Count && shape.Select((d, i) => input.Shape[i] < 0 || input.Shape[i] == d).All(x => x);
        if (!fits)
        {
            throw new CompressBuildException(DiagnosticCodes.DataDoesNotMatchModel,
                $"input '{input.Name}' expects {ElementType.Name(input.ElementType)} {FormatShape(input)}, the data gives {ElementType.Name(elementType)} {TensorShape.Format(shape)}{detail}.", file);
        }
    }

    public static string FormatShape(ValueInfo input) =>
        "[" + string.Join(",", input.Shape.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : input.SymbolicDims[i] is { Length: > 0 } s ? s : "?")) + "]";

    private static CompressBuildException MultiInputNeedsArchive(string path, IReadOnlyList<ValueInfo> inputs) =>
        new(DiagnosticCodes.DataDoesNotMatchModel,
            $"a single .npy can feed only a single-input model; this one has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}). Use an .npz with one array per input, or a " +
                $"folder of <input>.npy files.", path);

    private static int SetNumber(string directory) =>
        int.TryParse(Path.GetFileName(directory)["test_data_set_".Length..], out var n) ? n : int.MaxValue;
}
