using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// Where each capture stage's run starts and what it must hand on, so no stage re-runs the model from its inputs.
/// Solving stage k changes only the values downstream of its layers' weights; everything stage k + 1 needs that is not
/// downstream of them is final once stage k runs (earlier stages are solved, later ones do not feed it). So run k also
/// outputs <see cref="StageRun.Spill"/>: the tensors run k + 1 reads from outside the part that stage k's solve changes
/// (its <see cref="StageRun.Start"/>), and run k + 1 computes only from there to its own layers and its own spill. Pure graph logic: the
/// values travel through <see cref="BoundarySpill"/>.
/// </summary>
internal static class StagePlan
{
    /// <returns>One entry per stage: the tensors its run starts from (empty: from the graph inputs) and the ones it spills for the next.</returns>
    public static IReadOnlyList<StageRun> Of(GraphProto graph, IReadOnlyList<IReadOnlyList<ReconstructionTarget>> stages)
    {
        var nodes = graph.Node;
        var reads = nodes.Select(n => n.Input.Concat(NodeAttributes.Subgraphs(n).SelectMany(StageGraph.Reads)).Where(r => r.Length > 0).Distinct(StringComparer.Ordinal).ToArray()).ToArray();
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var output in nodes[i].Output.Where(o => o.Length > 0))
            {
                producer[output] = i;
            }
        }

        var consumers = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var name in reads[i])
            {
                if (!consumers.TryGetValue(name, out var list))
                {
                    consumers[name] = list = [];
                }

                list.Add(i);
            }
        }

        var graphInputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var notTensors = graph.ValueInfo.Where(v => v.Type is { } t && t.ValueCase != TypeProto.ValueOneofCase.TensorType).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var constants = Constants(nodes, reads, initializers);
        var starts = new List<string>[stages.Count];
        starts[0] = [];

        // Backwards, because run k + 1 must also compute what it spills for run k + 2: a tensor run k + 2 starts from that the solve of stage k
        // leaves alone is then spilled by run k and passed on by run k + 1, rather than computed by run k + 1 from the graph inputs (the
        // recognizer's last stage reads the backbone's pooled map through a Concat its second-to-last stage does not need: that stage ran 85%
        // of the model on every sample).
        for (var k = stages.Count - 2; k >= 0; k--)
        {
            // Everything the solve of stage k can change: the nodes that read its layers' initializers, and what follows them.
            var solvedWeights = stages[k].SelectMany(t => t.Node.Input.Skip(1)).Where(initializers.Contains).ToHashSet(StringComparer.Ordinal);
            solvedWeights.Add(stages[k][0].Weight.Name);
            var changed = Downstream(solvedWeights.SelectMany(w => consumers.GetValueOrDefault(w) ?? []), nodes, consumers);
            var wanted = stages[k + 1].Select(t => t.Node.Input[0]).Concat(k + 2 < stages.Count ? starts[k + 2] : []).Distinct(StringComparer.Ordinal).ToList();
            var needed = Upstream(wanted, reads, producer);
            needed.IntersectWith(changed);
            var start = new HashSet<string>(StringComparer.Ordinal);
            bool Given(string name) => !initializers.Contains(name) && !graphInputs.Contains(name) && !constants.Contains(name) && producer.TryGetValue(name, out var p)
                && !needed.Contains(p);
            foreach (var name in needed.SelectMany(n => reads[n]).Concat(wanted).Where(Given))
            {
                start.Add(name);
            }

            // A sequence or map does not travel through the spill file: that stage runs from the graph inputs.
            starts[k + 1] = start.Overlaps(notTensors) ? [] : start.OrderBy(n => producer[n]).ThenBy(n => n, StringComparer.Ordinal).ToList();
        }

        var teacher = TeacherStarts(stages, nodes, reads, producer, graphInputs, initializers.Union(constants).ToHashSet(StringComparer.Ordinal), notTensors);
        return Enumerable.Range(0, stages.Count).Select(k => new StageRun(starts[k], k + 1 < stages.Count ? starts[k + 1] : [])
        {
            TeacherStart = teacher[k], TeacherSpill = k + 1 < stages.Count ? teacher[k + 1] : [],
        }).ToList();
    }

    /// <summary>
    /// Where the teacher's run of each stage starts: no solve changes the teacher, so (forwards) each node runs in the first run whose layer
    /// inputs need it, and (backwards) a tensor a later run reads is carried to it by every run in between rather than computed again from the
    /// graph inputs. The detector's Convs in two stages: the second stage's teacher ran 309 of the model's 330 nodes again from the stem's output;
    /// it now starts from the four maps the backbone hands the neck and runs 96. The recognizer in twelve stages: planning run k + 1 from run k
    /// alone, its 11th teacher run recomputed 346 of 440 nodes from the image for what an earlier run had computed and the 10th did not pass on.
    /// </summary>
    /// <param name="fixedValues">Initializers and the tensors computed from them alone: every run has them, none carries them.</param>
    private static List<string>[] TeacherStarts(IReadOnlyList<IReadOnlyList<ReconstructionTarget>> stages, Google.Protobuf.Collections.RepeatedField<NodeProto> nodes,
        string[][] reads, Dictionary<string, int> producer, HashSet<string> graphInputs, HashSet<string> fixedValues, HashSet<string> notTensors)
    {
        // Forwards: the tensors each run reads from earlier runs, and the run that computes each tensor.
        var computedIn = new Dictionary<string, int>(StringComparer.Ordinal);
        var needs = new List<HashSet<string>>();
        for (var k = 0; k < stages.Count; k++)
        {
            var layerInputs = stages[k].Select(t => t.Node.Input[0]).ToList();
            var ran = Upstream(layerInputs, reads, producer, computedIn.Keys.ToHashSet(StringComparer.Ordinal));
            needs.Add(ran.SelectMany(n => reads[n]).Concat(layerInputs).Where(computedIn.ContainsKey).ToHashSet(StringComparer.Ordinal));
            foreach (var name in ran.SelectMany(n => nodes[n].Output).Where(n => !fixedValues.Contains(n) && !graphInputs.Contains(n) && producer.ContainsKey(n)))
            {
                computedIn.TryAdd(name, k);
            }
        }

        // Backwards: run k starts from what it and every later run read from before it.
        var starts = new List<string>[stages.Count];
        starts[0] = [];
        var carried = new HashSet<string>(StringComparer.Ordinal);
        for (var k = stages.Count - 1; k > 0; k--)
        {
            carried.RemoveWhere(n => computedIn[n] >= k);
            carried.UnionWith(needs[k]);
            // A sequence or map does not travel through the spill file: that run starts from the graph inputs, and no earlier run carries anything to it.
            starts[k] = carried.Overlaps(notTensors) ? [] : carried.OrderBy(n => producer[n]).ThenBy(n => n, StringComparer.Ordinal).ToList();
            if (starts[k].Count == 0)
            {
                carried.Clear();
            }
        }

        return starts;
    }

    /// <summary>
    /// Tensors computed from initializers alone (the recognizer's fifteen scalar Casts of constants, read all along the model): each run computes
    /// them again, which ONNX Runtime folds when it opens the session, rather than every run spilling them to the next and reading them back.
    /// </summary>
    private static HashSet<string> Constants(Google.Protobuf.Collections.RepeatedField<NodeProto> nodes, string[][] reads, HashSet<string> initializers)
    {
        var constants = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            var fixedValue = nodes[i].OpType == "Constant" || reads[i].Length > 0 && !nodes[i].OpType.StartsWith("Random", StringComparison.Ordinal)
                && nodes[i].OpType is not ("Multinomial" or "Bernoulli");
            if (fixedValue && reads[i].All(r => initializers.Contains(r) || constants.Contains(r)))
            {
                constants.UnionWith(nodes[i].Output.Where(o => o.Length > 0));
            }
        }

        return constants;
    }

    private static HashSet<int> Downstream(IEnumerable<int> seeds, Google.Protobuf.Collections.RepeatedField<NodeProto> nodes, Dictionary<string, List<int>> consumers)
    {
        var found = new HashSet<int>();
        var pending = new Stack<int>(seeds);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (!found.Add(node))
            {
                continue;
            }

            foreach (var output in nodes[node].Output)
            {
                foreach (var next in consumers.GetValueOrDefault(output) ?? [])
                {
                    pending.Push(next);
                }
            }
        }

        return found;
    }

    /// <summary>The nodes <paramref name="names"/> depend on, not looking past the tensors in <paramref name="given"/>.</summary>
    private static HashSet<int> Upstream(IEnumerable<string> names, string[][] reads, Dictionary<string, int> producer, HashSet<string>? given = null)
    {
        var found = new HashSet<int>();
        var pending = new Stack<string>(names);
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (given?.Contains(name) != true && producer.TryGetValue(name, out var node) && found.Add(node))
            {
                foreach (var input in reads[node])
                {
                    pending.Push(input);
                }
            }
        }

        return found;
    }
}
