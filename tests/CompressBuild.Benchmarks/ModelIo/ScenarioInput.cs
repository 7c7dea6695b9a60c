namespace CompressBuild.Benchmarks.ModelIo;

/// <summary>Which copy of the generated model a scenario starts from.</summary>
internal enum ScenarioInput
{
    /// <summary>One self-contained .onnx file with every weight in <c>raw_data</c>.</summary>
    Inline,

    /// <summary>A small .onnx file plus one <c>.data</c> file holding the weights (ONNX external data).</summary>
    External,
}
