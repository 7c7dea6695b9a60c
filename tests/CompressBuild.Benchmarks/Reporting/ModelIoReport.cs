namespace CompressBuild.Benchmarks.Reporting;

/// <param name="TargetMultiple">The aim: peak resident memory of load + save below this multiple of the model's size.</param>
internal sealed record ModelIoReport(
    ModelDescription Model,
    int Repeat,
    double TargetMultiple,
    string Runtime,
    int ProcessorCount,
    IReadOnlyList<ScenarioSummary> Scenarios)
{
    public bool MeetsTarget => Scenarios.Where(s => s.IsEngine).All(s => s.PeakMultiple < TargetMultiple);
}
