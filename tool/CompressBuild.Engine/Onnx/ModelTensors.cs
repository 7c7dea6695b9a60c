using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// Every TensorProto a model holds, wherever it sits: graph initializers, sparse initializers, tensors in
/// node attributes (Constant nodes and others), and the same inside subgraphs (If/Loop/Scan), functions and
/// training graphs. External data, size accounting and conversions all walk this one list.
/// </summary>
public static class ModelTensors
{
    public static IEnumerable<TensorProto> All(ModelProto model)
    {
        if (model.Graph is { } graph)
        {
            foreach (var t in InGraph(graph))
            {
                yield return t;
            }
        }

        foreach (var function in model.Functions)
        {
            foreach (var t in InNodes(function.Node))
            {
                yield return t;
            }

            foreach (var a in function.AttributeProto)
            {
                foreach (var t in InAttribute(a))
                {
                    yield return t;
                }
            }
        }

        foreach (var training in model.TrainingInfo)
        {
            foreach (var g in new[] { training.Initialization, training.Algorithm })
            {
                if (g is null)
                {
                    continue;
                }

                foreach (var t in InGraph(g))
                {
                    yield return t;
                }
            }
        }
    }

    public static IEnumerable<TensorProto> InGraph(GraphProto graph)
    {
        foreach (var t in graph.Initializer)
        {
            yield return t;
        }

        foreach (var s in graph.SparseInitializer)
        {
            foreach (var t in InSparse(s))
            {
                yield return t;
            }
        }

        foreach (var t in InNodes(graph.Node))
        {
            yield return t;
        }
    }

    private static IEnumerable<TensorProto> InNodes(IEnumerable<NodeProto> nodes)
    {
        foreach (var node in nodes)
        {
            foreach (var attribute in node.Attribute)
            {
                foreach (var t in InAttribute(attribute))
                {
                    yield return t;
                }
            }
        }
    }

    private static IEnumerable<TensorProto> InAttribute(AttributeProto attribute)
    {
        if (attribute.T is { } tensor)
        {
            yield return tensor;
        }

        foreach (var t in attribute.Tensors)
        {
            yield return t;
        }

        if (attribute.SparseTensor is { } sparse)
        {
            foreach (var t in InSparse(sparse))
            {
                yield return t;
            }
        }

        foreach (var s in attribute.SparseTensors)
        {
            foreach (var t in InSparse(s))
            {
                yield return t;
            }
        }

        if (attribute.G is { } graph)
        {
            foreach (var t in InGraph(graph))
            {
                yield return t;
            }
        }

        foreach (var g in attribute.Graphs)
        {
            foreach (var t in InGraph(g))
            {
                yield return t;
            }
        }
    }

    private static IEnumerable<TensorProto> InSparse(SparseTensorProto sparse)
    {
        if (sparse.Values is { } values)
        {
            yield return values;
        }

        if (sparse.Indices is { } indices)
        {
            yield return indices;
        }
    }
}
