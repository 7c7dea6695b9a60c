using System.Globalization;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Conformance.Tests;

/// <summary>
/// One ONNX backend test: its model, its data sets, and how the data files bind to the graph. The K-th
/// <c>input_K.pb</c> feeds the K-th graph input that is not an initializer (older exporters list weights among
/// the inputs), and the K-th <c>output_K.pb</c> is the K-th graph output. Tensors are named after the graph
/// value, not after the file's own TensorProto name, which exporters often leave empty.
/// </summary>
internal sealed class ConformanceCase
{
    private ConformanceCase(string suite, string folder, IReadOnlyList<ConformanceDataSet> dataSets)
    {
        Suite = suite;
        Folder = folder;
        Name = Path.GetFileName(folder);
        DataSets = dataSets;
    }

    public string Suite { get; }

    public string Name { get; }

    public string Folder { get; }

    public string ModelPath => Path.Combine(Folder, "model.onnx");

    public IReadOnlyList<ConformanceDataSet> DataSets { get; }

    public static IReadOnlyList<ConformanceCase> Discover(string suite)
    {
        return Directory.EnumerateDirectories(ConformanceSuites.Folder(suite))
            .Where(folder => File.Exists(Path.Combine(folder, "model.onnx")))
            .OrderBy(folder => folder, StringComparer.Ordinal)
            .Select(folder => new ConformanceCase(suite, folder, FindDataSets(folder)))
            .ToList();
    }

    public static IReadOnlyList<ValueInfoProto> FedInputs(GraphProto graph)
    {
        var initializers = graph.Initializer.Select(t => t.Name)
            .Concat(graph.SparseInitializer.Select(s => s.Values?.Name ?? ""))
            .ToHashSet(StringComparer.Ordinal);
        return graph.Input.Where(input => !initializers.Contains(input.Name)).ToList();
    }

    /// <summary>Graph inputs and outputs that are not dense tensors, described for the summary; empty when all are.</summary>
    public static IReadOnlyList<string> NonTensorValues(GraphProto graph)
    {
        return FedInputs(graph).Select(v => ("input", v))
            .Concat(graph.Output.Select(v => ("output", v)))
            .Where(p => p.v.Type?.ValueCase != TypeProto.ValueOneofCase.TensorType)
            .Select(p => $"{p.Item1} '{p.v.Name}' is {Describe(p.v.Type)}")
            .ToList();
    }

    public static IReadOnlyList<HostTensor> ReadInputs(ConformanceDataSet dataSet, GraphProto graph) =>
        ReadTensors(dataSet.InputFiles, FedInputs(graph), "inputs", dataSet);

    public static IReadOnlyList<HostTensor> ReadExpectedOutputs(ConformanceDataSet dataSet, GraphProto graph) =>
        ReadTensors(dataSet.OutputFiles, graph.Output, "outputs", dataSet);

    /// <summary>
    /// Parses every data file of a model with a non-tensor value as the message its graph value calls for
    /// (SequenceProto, MapProto, OptionalProto or TensorProto), so onnx-data.proto is exercised even where the
    /// runtime binding cannot feed the values yet.
    /// </summary>
    public void ParseAllDataFiles(GraphProto graph)
    {
        foreach (var dataSet in DataSets)
        {
            CheckCount(dataSet.InputFiles, FedInputs(graph), "inputs", dataSet);
            CheckCount(dataSet.OutputFiles, graph.Output, "outputs", dataSet);
            foreach (var (file, value) in dataSet.InputFiles.Zip(FedInputs(graph)).Concat(dataSet.OutputFiles.Zip(graph.Output)))
            {
                ParseValue(file, value.Type);
            }
        }
    }

    private static List<HostTensor> ReadTensors(IReadOnlyList<string> files, IReadOnlyList<ValueInfoProto> values, string what, ConformanceDataSet dataSet)
    {
        CheckCount(files, values, what, dataSet);
        var tensors = new List<HostTensor>(files.Count);
        for (var k = 0; k < files.Count; k++)
        {
            var proto = TensorProto.Parser.ParseFrom(File.ReadAllBytes(files[k]));
            tensors.Add(HostTensor.FromProto(proto, values[k].Name, Path.GetDirectoryName(files[k]), files[k]));
        }

        return tensors;
    }

    private static void CheckCount(IReadOnlyList<string> files, IReadOnlyList<ValueInfoProto> values, string what, ConformanceDataSet dataSet)
    {
        if (files.Count != values.Count)
        {
            throw new InvalidDataException($"{dataSet.Name} has {files.Count} {what} files but the graph has {values.Count} {what} to bind them to.");
        }
    }

    private static void ParseValue(string file, TypeProto? type)
    {
        var bytes = File.ReadAllBytes(file);
        var valid = type?.ValueCase switch
        {
            TypeProto.ValueOneofCase.SequenceType => SequenceProto.Parser.ParseFrom(bytes).HasElemType,
            TypeProto.ValueOneofCase.MapType => MapProto.Parser.ParseFrom(bytes).HasKeyType,
            TypeProto.ValueOneofCase.OptionalType => OptionalProto.Parser.ParseFrom(bytes).HasElemType,
            TypeProto.ValueOneofCase.SparseTensorType => SparseTensorProto.Parser.ParseFrom(bytes).Values is not null,
            _ => TensorProto.Parser.ParseFrom(bytes).HasDataType,
        };
        if (!valid)
        {
            throw new InvalidDataException($"{file} parses but lacks the element type a {Describe(type)} value must carry.");
        }
    }

    private static string Describe(TypeProto? type) => type?.ValueCase switch
    {
        TypeProto.ValueOneofCase.TensorType => "a tensor",
        TypeProto.ValueOneofCase.SequenceType => "a sequence",
        TypeProto.ValueOneofCase.MapType => "a map",
        TypeProto.ValueOneofCase.OptionalType => "an optional",
        TypeProto.ValueOneofCase.SparseTensorType => "a sparse tensor",
        _ => "untyped",
    };

    private static List<ConformanceDataSet> FindDataSets(string folder)
    {
        return Directory.EnumerateDirectories(folder, "test_data_set_*")
            .OrderBy(d => IndexAfter(Path.GetFileName(d), "test_data_set_"))
            .Select(d => new ConformanceDataSet(Path.GetFileName(d), Numbered(d, "input_"), Numbered(d, "output_")))
            .ToList();
    }

    // Ordered by the number, not the name: input_10.pb comes after input_9.pb.
    private static List<string> Numbered(string folder, string prefix) =>
        Directory.EnumerateFiles(folder, prefix + "*.pb").OrderBy(f => IndexAfter(Path.GetFileNameWithoutExtension(f), prefix)).ToList();

    private static int IndexAfter(string name, string prefix) =>
        int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index
            : throw new InvalidDataException($"'{name}' is not named {prefix}<number>.");
}
