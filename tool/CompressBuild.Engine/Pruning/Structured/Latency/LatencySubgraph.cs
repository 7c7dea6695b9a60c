using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured.Latency;

/// <summary>
/// The part of a model one channel group's width changes, as a model of its own: every node that reads or writes a value
/// carrying the group's channels (its producing Convs/MatMuls, the BatchNorms, activations, Adds and Concats between, and the
/// layers that read it), with the group's chosen channels removed exactly as <see cref="ChannelPruner.Apply"/> removes them.
/// Values that come from outside become inputs at their probed shapes, so each candidate width is timed on the real sizes; the
/// nodes stay connected, so ONNX Runtime's NCHWc rewrite sees the chain it sees in the whole model (timing each Conv alone would
/// add a layout reorder around each one).
/// </summary>
internal static class LatencySubgraph
{
    /// <summary>The sub-model of <paramref name="groupRoots"/> with <paramref name="removed"/> (roots) taken out; null when the group touches no node.</summary>
    public static OnnxModel? Build(ChannelGraph graph, IReadOnlyDictionary<string, long[]> shapes, IReadOnlySet<int> groupRoots, IReadOnlySet<int> removed)
    {
        var model = graph.Model;
        var carrying = graph.Spaces.Where(s => s.Ids().Any(id => groupRoots.Contains(graph.Channels.Find(id))))
            .GroupBy(s => s.Value, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var nodes = model.Graph.Node.Select((n, i) => (Node: n, Index: i))
            .Where(x => x.Node.Input.Any(carrying.ContainsKey) || x.Node.Output.Any(carrying.ContainsKey)).ToList();
        if (nodes.Count == 0)
        {
            return null;
        }

        var slices = graph.Slices.GroupBy(s => (s.Node, s.InputIndex)).ToDictionary(g => g.Key, g => g.ToList());
        var depthwise = graph.DepthwiseNodes.ToHashSet();
        var produced = nodes.SelectMany(x => x.Node.Output).Where(o => o.Length > 0).ToHashSet(StringComparer.Ordinal);
        var consumed = nodes.SelectMany(x => x.Node.Input).Where(i => i.Length > 0).ToHashSet(StringComparer.Ordinal);
        var initializers = model.Graph.Initializer.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var types = model.Graph.Input.Concat(model.Graph.ValueInfo).Where(v => v.Type?.TensorType is not null)
            .GroupBy(v => v.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Type.TensorType.ElemType, StringComparer.Ordinal);

        var proto = new ModelProto { IrVersion = model.Proto.IrVersion, ProducerName = "compressbuild-latency-table" };
        proto.OpsetImport.AddRange(model.Proto.OpsetImport.Select(o => o.Clone()));
        var sub = new GraphProto { Name = "latency" };
        proto.Graph = sub;
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (original, index) in nodes)
        {
            var node = original.Clone();
            for (var i = 0; i < node.Input.Count; i++)
            {
                var name = node.Input[i];
                if (name.Length == 0 || produced.Contains(name))
                {
                    continue;
                }

                if (initializers.TryGetValue(name, out var constant))
                {
                    // Each reader gets its own copy, sliced as that reader's slices say (a constant shared by two readers may shrink differently).
                    var copy = slices.TryGetValue((original, i), out var uses) ? Sliced(graph, model, constant, uses, removed) : constant.Clone();
                    copy.Name = $"{name}__{index}_{i}";
                    sub.Initializer.Add(copy);
                    node.Input[i] = copy.Name;
                }
                else if (declared.Add(name))
                {
                    if (!shapes.TryGetValue(name, out var shape))
                    {
                        return null;
                    }

                    sub.Input.Add(Value(name, types.GetValueOrDefault(name, (int)TensorProto.Types.DataType.Float), Shrunk(graph, shape, carrying.GetValueOrDefault(name), removed)));
                }
            }

            if (depthwise.Contains(original))
            {
                var weight = sub.Initializer.First(t => t.Name == node.Input[1]);
                node.Attribute.First(a => a.Name == "group").I = weight.Dims[0];
            }

            sub.Node.Add(node);
        }

        // Every value no node of the part reads, or that the rest of the model reads, is an output, so ONNX Runtime keeps all of the part.
        var readOutside = model.Graph.Node.Except(nodes.Select(x => x.Node)).SelectMany(n => n.Input).Concat(model.Graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var output in produced.Where(o => !consumed.Contains(o) || readOutside.Contains(o)).Order(StringComparer.Ordinal))
        {
            sub.Output.Add(new ValueInfoProto { Name = output });
        }

        return new OnnxModel(proto, model.BaseDirectory, model.SourcePath);
    }

    private static TensorProto Sliced(ChannelGraph graph, OnnxModel model, TensorProto constant, List<TensorSlice> uses, IReadOnlySet<int> removed)
    {
        var dims = constant.Dims.ToArray();
        var values = TensorData.ToSingles(constant, model);
        foreach (var slice in uses)
        {
            var kept = Enumerable.Range(0, slice.Channels.Length).Where(i => !removed.Contains(graph.Channels.Find(slice.Channels[i]))).ToList();
            if (kept.Count < slice.Channels.Length)
            {
                values = TensorSlicing.Keep(values, dims, slice.Axis, kept);
            }
        }

        return constant.DataType == (int)TensorProto.Types.DataType.Float ? TensorData.FromArray(constant.Name, dims, values.AsSpan())
            : TensorData.FromArray(constant.Name, dims, values.Select(v => (long)v).ToArray().AsSpan());
    }

    private static long[] Shrunk(ChannelGraph graph, long[] shape, ChannelSpace? space, IReadOnlySet<int> removed)
    {
        var result = shape.ToArray();
        if (space is not null && space.Axis < result.Length)
        {
            result[space.Axis] -= space.Ids().Count(id => removed.Contains(graph.Channels.Find(id)));
        }

        return result;
    }

    private static ValueInfoProto Value(string name, int elementType, long[] shape)
    {
        var dims = new TensorShapeProto();
        dims.Dim.AddRange(shape.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType, Shape = dims } } };
    }
}
