namespace CompressBuild.Engine.Inspection;

/// <summary>What <c>dotnet compress inspect</c> reports about a model; serialized as-is for <c>--json</c>.</summary>
public sealed record ModelInspection(
    string Path,
    long FileBytes,
    long ExternalDataBytes,
    long IrVersion,
    string ProducerName,
    string ProducerVersion,
    string Domain,
    long ModelVersion,
    IReadOnlyList<OpsetEntry> Opsets,
    IReadOnlyList<ValueEntry> Inputs,
    IReadOnlyList<ValueEntry> Outputs,
    int NodeCount,
    int SubgraphNodeCount,
    IReadOnlyList<OpTypeCount> OpTypes,
    long ParameterCount,
    long ParameterBytes,
    IReadOnlyList<DataTypeTotal> ParametersByType,
    IReadOnlyList<TensorEntry> LargestTensors,
    double WeightZeroFraction,
    IReadOnlyList<ExternalFileEntry> ExternalFiles);
