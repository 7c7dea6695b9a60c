using System.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// A session exposing a capture stage's layer inputs and the tensors it spills for the next stage (as <see cref="ActivationCapture"/>
/// does), cut to the nodes they need (<see cref="StageGraph"/>) and, given the previous stage's spill, starting from it: those
/// tensors become graph inputs, so the nodes in front of them do not run again. Graph inputs come straight from the sample, and
/// a stage whose cut reads none is not fed it.
/// The session opens at the first run, when the spilled tensors' element types and ranks are known.
/// </summary>
internal sealed class StageProbe : IDisposable
{
    private readonly IReadOnlyList<string> names;
    private readonly IReadOnlyList<string> start;
    private readonly IReadOnlyList<string> spill;
    private readonly Dictionary<string, int> startIndex;
    private readonly List<string> fromRun;
    private readonly HashSet<string> graphInputs;
    private readonly Stopwatch opening = new();
    private readonly Stopwatch running = new();
    private readonly OnnxModel? probe;
    private readonly HashSet<string> sampleInputs;
    private InferenceSession? session;
    private List<int> fed = [];

    /// <param name="start">Tensors each run receives (in this order) from the previous stage's spill; empty to run from the graph inputs.</param>
    /// <param name="spill">Tensors each run also returns for the next stage.</param>
    public StageProbe(OnnxModel model, IReadOnlyList<string> names, IReadOnlyList<string> start, IReadOnlyList<string> spill)
    {
        this.names = names;
        this.start = start;
        this.spill = spill;
        startIndex = start.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
        graphInputs = model.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        fromRun = names.Concat(spill).Where(t => !graphInputs.Contains(t) && !startIndex.ContainsKey(t)).Distinct(StringComparer.Ordinal).ToList();
        // The cut is part of opening the session, as its time is.
        opening.Start();
        probe = fromRun.Count == 0 ? null : StageGraph.Cut(model, fromRun, startIndex.Keys.ToHashSet(StringComparer.Ordinal));
        opening.Stop();
        // An initializer an old model also lists as a graph input is not in the sample: it keeps its value.
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        sampleInputs = (probe?.Graph.Input.Select(i => i.Name).Where(n => graphInputs.Contains(n) && !initializers.Contains(n)) ?? []).ToHashSet(StringComparer.Ordinal);
        ReadsSample = sampleInputs.Count > 0 || names.Concat(spill).Any(graphInputs.Contains);
    }

    /// <summary>
    /// Whether a run reads the sample: a stage that starts from the previous stage's spill mostly does not (the recognizer's stages 3 to 12 in
    /// SparseGPT's twelve), and reading it anyway took 0.51 s of that capture's 6.8 s at 128 lines (a 184 kB array from the file per line and
    /// stage). Otherwise runs get no sample.
    /// </summary>
    public bool ReadsSample { get; }

    /// <summary>Time spent opening the session (graph optimization, weight prepacking).</summary>
    public TimeSpan Opening => opening.Elapsed;

    /// <summary>Time spent in the session's runs.</summary>
    public TimeSpan Running => running.Elapsed;

    /// <returns>The stage's layer inputs (in the order of the names given) and the tensors to spill, kept in ONNX Runtime's buffers until disposed.</returns>
    public StageValues Run(IReadOnlyList<HostTensor> sample, IReadOnlyList<HostTensor> boundary)
    {
        if (fromRun.Count > 0 && session is null)
        {
            opening.Start();
            session = Open(boundary);
            opening.Stop();
        }

        running.Start();
        var outputs = session?.RunKept([.. sample.Where(s => sampleInputs.Contains(s.Name)), .. fed.Select(i => boundary[i])], fromRun);
        try
        {
            HostTensor? Given(string name) => graphInputs.Contains(name) ? sample.First(s => s.Name == name) : startIndex.TryGetValue(name, out var i) ? boundary[i] : null;
            var read = names.Concat(spill).ToList();
            return new StageValues([.. read.Select(Given)], [.. read.Select(n => fromRun.IndexOf(n))], outputs, names.Count);
        }
        catch
        {
            outputs?.Dispose();
            throw;
        }
        finally
        {
            running.Stop();
        }
    }

    private InferenceSession Open(IReadOnlyList<HostTensor> boundary)
    {
        // Full graph optimizations: ONNX Runtime never fuses away or renames a graph output, so every layer input asked for
        // comes back as the model computes it; without them the recognizer's runs took 1.5x as long (18 s vs 12 s for 2 x 32 lines).
        var graph = probe!.Graph;

        // A spilled tensor becomes a graph input where a kept node reads it and none computes it (a node kept for another output may).
        var produced = graph.Node.SelectMany(n => n.Output).ToHashSet(StringComparer.Ordinal);
        var read = graph.Node.SelectMany(n => n.Input.Concat(NodeAttributes.Subgraphs(n).SelectMany(StageGraph.Reads))).ToHashSet(StringComparer.Ordinal);
        fed = start.Select((n, i) => (n, i)).Where(x => read.Contains(x.n) && !produced.Contains(x.n)).Select(x => x.i).ToList();
        foreach (var i in fed)
        {
            var tensor = boundary[i];
            for (var v = graph.ValueInfo.Count - 1; v >= 0; v--)
            {
                if (graph.ValueInfo[v].Name == tensor.Name)
                {
                    graph.ValueInfo.RemoveAt(v);
                }
            }

            var shape = new TensorShapeProto();
            for (var a = 0; a < tensor.Shape.Length; a++)
            {
                shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = $"spill{i}_{a}" });
            }

            graph.Input.Add(new ValueInfoProto
            {
                Name = tensor.Name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = tensor.ElementType, Shape = shape } },
            });
        }

        // One intra-op thread: the run stays on the calling thread while the previous sample's rows are summed on the other core (the default,
        // a spinning pool thread, took that core from the sums: the recognizer's capture at 128 lines 12.2-12.5 s against 7.9-9.5 s, same bytes).
        return ModelSessions.Open(probe, SessionSettings.Default with { IntraOpThreads = 1 });
    }

    public void Dispose() => session?.Dispose();
}
