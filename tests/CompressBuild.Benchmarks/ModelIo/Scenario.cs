namespace CompressBuild.Benchmarks.ModelIo;

/// <param name="Id">Name on the command line of the child process and in the report.</param>
/// <param name="BaselineId">The pure-I/O scenario doing the same reads and writes, to show the protobuf share of the time.</param>
internal sealed record Scenario(string Id, string Title, ScenarioInput Input, bool IsEngine, string? BaselineId, ExpectedOutput Expected)
{
    /// <summary>Output file name in the scenario's own folder; the same name as the input so external data locations match.</summary>
    public const string OutputFileName = "model.onnx";
}
