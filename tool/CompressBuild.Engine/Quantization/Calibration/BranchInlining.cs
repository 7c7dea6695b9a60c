using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>
/// ONNX Runtime can expose only main-graph values as outputs, so the activations inside If branches cannot be
/// calibrated in the model as it is. Exported models branch on values that are fixed for a deployment (Silero VAD on
/// its sample rate, on whether a state was given), so the calibration data takes one branch of each If every time:
/// this builds a copy of the model where each such If is replaced by the nodes of the branch taken, outer-scope names
/// resolved and clashing names renamed, level by level (an If inside an inlined branch is decided on the next run).
/// A Loop/Scan body runs once per iteration, so its values are exposed as extra stacked outputs instead
/// (<see cref="BodyExposure"/>), after the Ifs inside it are decided (their conditions read as stacked outputs too: the same
/// on every iteration of every sample, or left alone) and inlined into the body's copy, as a streaming model's per-step
/// network (Silero VAD in a Loop over time) needs. An If whose condition differs between calibration samples or iterations,
/// the branch never taken, and a Loop/Scan nested inside a Loop/Scan body stay unobserved, each with its reason.
/// </summary>
internal static class BranchInlining
{
    /// <summary>Nesting levels inlined at most (each level is one run over the calibration data).</summary>
    private const int MaxDepth = 8;

    /// <summary>Scan's per-output attributes: when given, they must cover an added output too (stacked along axis 0, forward).</summary>
    private static readonly string[] ScanOutputAttributes = ["scan_output_directions", "scan_output_axes"];

    public static BranchCalibration Inline(OnnxModel model, Dataset calibration, SessionSettings settings)
    {
        var proto = model.Proto.Clone();
        var main = proto.Graph;
        var scopes = new Dictionary<GraphProto, Dictionary<string, string>>(ReferenceEqualityComparer.Instance);
        var unobserved = new Dictionary<GraphProto, string>(ReferenceEqualityComparer.Instance);
        var taken = Subgraphs.AllNodes(main).SelectMany(n => n.Input.Concat(n.Output).Append(n.Name))
            .Concat(main.Input.Select(i => i.Name)).Concat(main.Initializer.Select(i => i.Name)).ToHashSet(StringComparer.Ordinal);

        // The clone's nodes stand for the original's (same order); bodies are always read from the original model.
        var pending = new List<Pending>();
        for (var i = 0; i < main.Node.Count; i++)
        {
            Track(main.Node[i], model.Graph.Node[i], new Dictionary<string, string>(StringComparer.Ordinal), main, null, pending, unobserved);
        }

        string Fresh(string name)
        {
            var fresh = name;
            for (var k = 1; !taken.Add(fresh); k++)
            {
                fresh = $"{name}__inlined{k}";
            }

            return fresh;
        }

        var loops = new List<Pending>();
        for (var depth = 0; pending.Count > 0; depth++)
        {
            // A Loop/Scan of the main graph (or of a branch inlined into it) opens its body: the Ifs in it are decided and inlined
            // into the body's copy like the main graph's, then the body's values are stacked into extra outputs (below). A Loop/Scan
            // inside such a body stays unobserved.
            var ifs = new List<Pending>();
            var queue = new Queue<Pending>(pending);
            while (queue.TryDequeue(out var item))
            {
                if (item.Copy.OpType == "If")
                {
                    ifs.Add(item);
                    continue;
                }

                var original = NodeAttributes.Graph(item.Original, "body")!;
                if (item.Loop is { } outer)
                {
                    MarkUnobserved(original, $"it is nested inside the body of {outer.Original.OpType} '{outer.Original.Name}', whose own values are calibrated as stacked outputs",
                        unobserved);
                    continue;
                }

                loops.Add(item);
                var copy = NodeAttributes.Graph(item.Copy, "body")!;
                var opened = new List<Pending>();
                for (var i = 0; i < copy.Node.Count; i++)
                {
                    Track(copy.Node[i], original.Node[i], item.Renames, copy, item, opened, unobserved);
                }

                opened.ForEach(queue.Enqueue);
            }

            pending = ifs;
            if (pending.Count == 0)
            {
                break;
            }

            var conditions = depth < MaxDepth ? Conditions(new OnnxModel(proto, model.BaseDirectory, model.SourcePath), pending, calibration, settings, Fresh) : [];
            var next = new List<Pending>();
            foreach (var item in pending)
            {
                var then = Branch(item.Original, "then_branch")!;
                var otherwise = Branch(item.Original, "else_branch")!;
                if (!conditions.TryGetValue(item, out var value) || value is null)
                {
                    var why = depth < MaxDepth
                        ? $"the condition of If '{item.Original.Name}' differs between calibration samples{(item.Loop is null ? "" : " or iterations")}, " +
                            "so neither branch can be inlined for calibration"
                        : $"If '{item.Original.Name}' is nested more than {MaxDepth} levels deep";
                    MarkUnobserved(then, why, unobserved);
                    MarkUnobserved(otherwise, why, unobserved);
                    continue;
                }

                var (body, skipped) = value.Value ? (then, otherwise) : (otherwise, then);
                MarkUnobserved(skipped, $"the {(value.Value ? "else" : "then")} branch of If '{item.Original.Name}' is never taken on the calibration data", unobserved);
                scopes[body] = InlineBranch(item, body, Fresh, next, unobserved);
                item.Loop?.Inlined.Add((body, scopes[body]));
            }

            pending = next;
        }

        // Each opened Loop/Scan body (its Ifs now inlined) gets its float values stacked into extra outputs of the node; a branch
        // inlined into it reads its values through its renames, then the stacked outputs.
        var outerTypes = loops.Count > 0 ? ValueTypes.Infer(main) : [];
        foreach (var item in loops)
        {
            var body = NodeAttributes.Graph(item.Original, "body")!;
            var exposed = BodyExposure.Expose(item.Copy, item.Renames, Fresh, outerTypes)!;
            scopes[body] = exposed;
            foreach (var (branch, renames) in item.Inlined)
            {
                scopes[branch] = renames.Keys.Concat(branch.Node.SelectMany(n => n.Input.Concat(n.Output))).Distinct(StringComparer.Ordinal)
                    .Select(v => (Value: v, InBody: renames.GetValueOrDefault(v, v)))
                    .ToDictionary(p => p.Value, p => exposed.GetValueOrDefault(p.InBody, p.InBody), StringComparer.Ordinal);
            }

            foreach (var nested in Subgraphs.Graphs(body).Skip(1).Where(g => !scopes.ContainsKey(g)))
            {
                unobserved.TryAdd(nested, $"it is nested inside the body of {item.Original.OpType} '{item.Original.Name}', whose own values are calibrated as stacked outputs");
            }
        }

        return new BranchCalibration(new OnnxModel(proto, model.BaseDirectory, model.SourcePath), scopes, unobserved);
    }

    private static GraphProto? Branch(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.G;

    /// <summary>
    /// An If of the calibration graph is queued for inlining, a Loop/Scan for exposing its body's values; another node's bodies
    /// (a custom domain's) are unobserved. <paramref name="host"/> holds <paramref name="clone"/>: the main graph, or the body copy
    /// of the Loop/Scan <paramref name="loop"/>.
    /// </summary>
    private static void Track(NodeProto clone, NodeProto original, Dictionary<string, string> renames, GraphProto host, Pending? loop, List<Pending> pending,
        Dictionary<GraphProto, string> unobserved)
    {
        var standard = original.Domain is "" or "ai.onnx";
        if ((standard && original.OpType == "If" && Branch(original, "then_branch") is not null && Branch(original, "else_branch") is not null)
            || (standard && original.OpType is "Loop" or "Scan" && NodeAttributes.Graph(original, "body") is not null))
        {
            pending.Add(new Pending(clone, original, renames, host, loop));
            return;
        }

        foreach (var body in NodeAttributes.Subgraphs(original))
        {
            MarkUnobserved(body, $"{original.OpType} '{original.Name}' is not a standard If, Loop or Scan, so its body's values cannot be exposed to calibration", unobserved);
        }
    }

    private static void MarkUnobserved(GraphProto body, string why, Dictionary<GraphProto, string> unobserved)
    {
        foreach (var graph in Subgraphs.Graphs(body))
        {
            unobserved.TryAdd(graph, why);
        }
    }

    /// <summary>
    /// Each pending If's condition over the whole calibration data: true or false when every sample (and, inside a Loop/Scan body,
    /// every iteration) agrees, else null. A condition computed inside a body is read as an extra stacked output of its Loop/Scan,
    /// added for this run only.
    /// </summary>
    private static Dictionary<Pending, bool?> Conditions(OnnxModel model, List<Pending> pending, Dataset calibration, SessionSettings settings, Func<string, string> fresh)
    {
        var inputs = model.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var names = new Dictionary<Pending, string>(ReferenceEqualityComparer.Instance);
        var undo = new List<Action>();
        try
        {
            foreach (var item in pending.Where(p => p.Copy.Input[0].Length > 0))
            {
                var condition = item.Copy.Input[0];
                var inBody = item.Loop is not null && (item.Host.Input.Any(i => i.Name == condition) || item.Host.Node.Any(n => n.Output.Contains(condition)));
                names[item] = inBody ? Stack(item.Loop!.Copy, item.Host, condition, fresh, undo) : condition;
            }

            var computed = names.Values.Where(n => !inputs.Contains(n)).Distinct(StringComparer.Ordinal).ToList();
            var values = new Dictionary<Pending, bool?>(ReferenceEqualityComparer.Instance);
            using var session = ModelSessions.Open(ModelOutputs.WithOutputs(model, computed), settings);
            for (var i = 0; i < calibration.Count; i++)
            {
                var sample = calibration.Sample(i);
                var outputs = computed.Count > 0 ? session.Run(sample, computed) : [];
                foreach (var (item, name) in names)
                {
                    var data = inputs.Contains(name) ? sample.First(s => s.Name == name).Data : outputs[computed.IndexOf(name)].Data;
                    bool? value = data.Length > 0 && !data.AsSpan().ContainsAnyExcept(data[0]) ? data[0] != 0 : null;
                    values[item] = i == 0 || values[item] == value ? value : null;
                }
            }

            return values;
        }
        finally
        {
            undo.Reverse();
            undo.ForEach(u => u());
        }
    }

    /// <summary>Makes <paramref name="value"/> of <paramref name="body"/> an extra scan output of <paramref name="loop"/> (stacked over the iterations); <paramref name="undo"/> removes it.</summary>
    private static string Stack(NodeProto loop, GraphProto body, string value, Func<string, string> fresh, List<Action> undo)
    {
        var inner = fresh(value + "__condition");
        var identity = new NodeProto { OpType = "Identity", Name = fresh(value + "__expose"), Input = { value }, Output = { inner } };
        var output = new ValueInfoProto { Name = inner };
        var stacked = fresh(value + "__iterations");
        body.Node.Add(identity);
        body.Output.Add(output);
        loop.Output.Add(stacked);
        var axes = ScanOutputAttributes.Select(a => NodeAttributes.Find(loop, a)).OfType<AttributeProto>().ToList();
        axes.ForEach(a => a.Ints.Add(0L));
        undo.Add(() =>
        {
            body.Node.Remove(identity);
            body.Output.Remove(output);
            loop.Output.Remove(stacked);
            axes.ForEach(a => a.Ints.RemoveAt(a.Ints.Count - 1));
        });
        return stacked;
    }

    /// <summary>
    /// Replaces the If by the nodes and initializers of <paramref name="body"/> (names the calibration graph already has get a
    /// suffix) and Identity nodes from the branch's outputs to the If's; returns the body's renames, which nested bodies inherit.
    /// </summary>
    private static Dictionary<string, string> InlineBranch(Pending item, GraphProto body, Func<string, string> fresh, List<Pending> next,
        Dictionary<GraphProto, string> unobserved)
    {
        var renames = new Dictionary<string, string>(item.Renames, StringComparer.Ordinal);

        string Resolve(string name) => name.Length > 0 && renames.TryGetValue(name, out var renamed) ? renamed : name;

        foreach (var initializer in body.Initializer)
        {
            var copy = initializer.Clone();
            copy.Name = fresh(initializer.Name);
            renames[initializer.Name] = copy.Name;
            item.Host.Initializer.Add(copy);
        }

        var nodes = new List<NodeProto>();
        var nested = new List<(NodeProto Clone, NodeProto Original)>();
        foreach (var original in body.Node)
        {
            var clone = original.Clone();
            for (var i = 0; i < clone.Input.Count; i++)
            {
                clone.Input[i] = Resolve(clone.Input[i]);
            }

            for (var k = 0; k < clone.Output.Count; k++)
            {
                if (clone.Output[k].Length > 0)
                {
                    clone.Output[k] = renames[original.Output[k]] = fresh(original.Output[k]);
                }
            }

            clone.Name = fresh(original.Name.Length > 0 ? original.Name : original.OpType);
            nodes.Add(clone);
            nested.Add((clone, original));
        }

        // Bodies still nested in the inlined nodes read outer values by name: point them at the renamed ones.
        foreach (var (clone, _) in nested)
        {
            foreach (var inner in NodeAttributes.Subgraphs(clone).SelectMany(Subgraphs.Graphs))
            {
                foreach (var node in inner.Node)
                {
                    for (var i = 0; i < node.Input.Count; i++)
                    {
                        node.Input[i] = Resolve(node.Input[i]);
                    }
                }
            }
        }

        for (var k = 0; k < body.Output.Count && k < item.Copy.Output.Count; k++)
        {
            if (item.Copy.Output[k].Length > 0)
            {
                var identity = new NodeProto { OpType = "Identity", Name = fresh(item.Copy.Name + "_output" + k) };
                identity.Input.Add(Resolve(body.Output[k].Name));
                identity.Output.Add(item.Copy.Output[k]);
                nodes.Add(identity);
            }
        }

        // Protobuf messages compare by value: find the If itself.
        var main = item.Host;
        var at = Enumerable.Range(0, main.Node.Count).First(n => ReferenceEquals(main.Node[n], item.Copy));
        main.Node.RemoveAt(at);
        for (var n = nodes.Count - 1; n >= 0; n--)
        {
            main.Node.Insert(at, nodes[n]);
        }

        foreach (var (clone, original) in nested)
        {
            Track(clone, original, renames, item.Host, item.Loop, next, unobserved);
        }

        return renames;
    }

    /// <summary>
    /// An If or Loop/Scan of the calibration graph, the original node it was copied from, the renames of its enclosing inlined scopes,
    /// the graph that holds it (the main graph or a Loop/Scan body's copy) and that Loop/Scan; a Loop/Scan collects the branches
    /// inlined into its body.
    /// </summary>
    private sealed class Pending(NodeProto copy, NodeProto original, Dictionary<string, string> renames, GraphProto host, Pending? loop)
    {
        public NodeProto Copy { get; } = copy;

        public NodeProto Original { get; } = original;

        public Dictionary<string, string> Renames { get; } = renames;

        public GraphProto Host { get; } = host;

        public Pending? Loop { get; } = loop;

        public List<(GraphProto Branch, Dictionary<string, string> Renames)> Inlined { get; } = [];
    }
}
