using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Preprocessing;

/// <summary>
/// Folds an inference-mode BatchNormalization into the Conv, ConvTranspose or Gemm before it: with
/// s = scale / sqrt(var + epsilon), the weights of output channel c are multiplied by s[c] and the bias becomes
/// (bias - mean) * s + B. The producer must feed only the BatchNormalization, and every tensor involved must be a
/// float32 initializer; a weight another node shares is copied rather than changed. A BatchNormalization that
/// stays is named in advisory CB4025, since a quantized model then pays for it at run time.
/// </summary>
internal static class BatchNormalizationFolding
{
    public static int Run(OnnxModel model, List<PreprocessAdvisory> advisories)
    {
        var graph = model.Graph;
        var folded = 0;
        var left = new List<string>();
        var read = GraphValues.ReadNames(graph);
        var names = new Adapters.ModelNames(graph);
        foreach (var bn in graph.Node.Where(n => n.OpType == "BatchNormalization" && GraphValues.IsDefaultDomain(n)).ToList())
        {
            var why = TryFold(model, bn, read, names);
            if (why is null)
            {
                folded++;
            }
            else
            {
                left.Add($"'{bn.Name}' ({why})");
            }
        }

        if (left.Count > 0)
        {
            advisories.Add(new PreprocessAdvisory(DiagnosticCodes.BatchNormNotFolded.Id,
                $"{left.Count} BatchNormalization node(s) stay in the model and run in float: {string.Join(", ", left.Take(5))}{(left.Count > 5 ? ", ..." : "")}."));
        }

        return folded;
    }

    /// <summary>Null when folded; otherwise why not.</summary>
    private static string? TryFold(OnnxModel model, NodeProto bn, HashSet<string> read, Adapters.ModelNames names)
    {
        var graph = model.Graph;
        if (NodeAttributes.Int(bn, "training_mode", 0) != 0)
        {
            return "training mode";
        }

        if (bn.Output.Skip(1).Any(o => o.Length > 0 && read.Contains(o)) || bn.Input.Count < 5)
        {
            return "its running statistics are read";
        }

        var producer = graph.Node.FirstOrDefault(n => n.Output.Contains(bn.Input[0]));
        if (producer is null || !GraphValues.IsDefaultDomain(producer) || producer.OpType is not ("Conv" or "ConvTranspose" or "Gemm"))
        {
            return producer is null ? "its input is not computed by a node" : $"its input comes from {producer.OpType}, not Conv, ConvTranspose or Gemm";
        }

        var readers = graph.Node.Count(n => n.Input.Contains(bn.Input[0])) + graph.Output.Count(o => o.Name == bn.Input[0]);
        if (readers != 1)
        {
            return $"the {producer.OpType} output is also read elsewhere";
        }

        var parameters = new float[4][];
        for (var i = 0; i < 4; i++)
        {
            if (FloatInitializer(model, bn.Input[i + 1]) is not { } values)
            {
                return "its parameters are not float32 constants";
            }

            parameters[i] = values;
        }

        var (scale, shift, mean, variance) = (parameters[0], parameters[1], parameters[2], parameters[3]);
        var epsilon = NodeAttributes.Float(bn, "epsilon", 1e-5f);
        var channels = scale.Length;
        var factor = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            factor[c] = scale[c] / MathF.Sqrt(variance[c] + epsilon);
        }

        var weight = graph.Initializer.FirstOrDefault(t => t.Name == producer.Input[1]);
        if (weight is null || weight.DataType != (int)TensorProto.Types.DataType.Float || graph.Input.Any(i => i.Name == weight.Name))
        {
            return $"the {producer.OpType} weight is not a float32 initializer";
        }

        var w = TensorData.ToSingles(weight, model);
        var outputAxisOk = Scale(producer, weight, w, factor);
        if (outputAxisOk is not null)
        {
            return outputAxisOk;
        }

        const int BiasIndex = 2;
        float[] bias;
        if (producer.Input.Count > BiasIndex && producer.Input[BiasIndex].Length > 0)
        {
            if (FloatInitializer(model, producer.Input[BiasIndex]) is not { } b || (b.Length != channels && b.Length != 1))
            {
                return $"the {producer.OpType} bias is not a float32 constant of one value per channel";
            }

            var beta = GemmForm.Of(producer, weight.Dims)?.Beta ?? 1f;
            bias = Enumerable.Range(0, channels).Select(c => beta * (b.Length == 1 ? b[0] : b[c])).ToArray();
        }
        else
        {
            bias = new float[channels];
        }

        for (var c = 0; c < channels; c++)
        {
            bias[c] = ((bias[c] - mean[c]) * factor[c]) + shift[c];
        }

        var reads = graph.Node.Count(n => n.Input.Contains(weight.Name));
        var weightName = reads == 1 ? weight.Name : names.Unique(weight.Name + "_bn");
        var newWeight = TensorData.FromArray<float>(weightName, weight.Dims.ToArray(), w);
        if (reads == 1)
        {
            graph.Initializer[graph.Initializer.IndexOf(weight)] = newWeight;
        }
        else
        {
            graph.Initializer.Add(newWeight);
        }

        producer.Input[1] = weightName;
        var biasName = names.Unique((producer.Name.Length > 0 ? producer.Name : bn.Name) + "_bias_bn");
        graph.Initializer.Add(TensorData.FromArray<float>(biasName, [channels], bias));
        NodeAttributes.SetInput(producer, 2, biasName);
        if (producer.OpType == "Gemm")
        {
            // alpha went into the weights and beta into the bias.
            NodeAttributes.SetFloat(producer, "alpha", 1f);
            NodeAttributes.SetFloat(producer, "beta", 1f);
        }

        producer.Output[producer.Output.IndexOf(bn.Input[0])] = bn.Output[0];
        graph.Node.Remove(bn);
        return null;
    }

    /// <summary>Multiplies each output channel's weights by its factor in place; null when done, else why not.</summary>
    private static string? Scale(NodeProto producer, TensorProto weight, float[] w, float[] factor)
    {
        var dims = weight.Dims;
        var channels = factor.Length;
        switch (producer.OpType)
        {
            case "Conv":
            {
                if (dims.Count < 3 || dims[0] != channels)
                {
                    return "the Conv weight does not have one filter per BatchNormalization channel";
                }

                var per = w.Length / channels;
                for (var c = 0; c < channels; c++)
                {
                    System.Numerics.Tensors.TensorPrimitives.Multiply(w.AsSpan(c * per, per), factor[c], w.AsSpan(c * per, per));
                }

                return null;
            }

            case "ConvTranspose":
            {
                if (ConvForm.Of(producer, dims) is not { } conv || conv.OutputChannels != channels)
                {
                    return "the ConvTranspose weight does not have one filter per BatchNormalization channel";
                }

                var perGroupOut = (int)conv.OutputsPerGroup;
                var inPerGroup = (int)conv.InputsPerGroup;
                var kernel = w.Length / (int)(dims[0] * dims[1]);
                for (var i = 0; i < dims[0]; i++)
                {
                    for (var j = 0; j < perGroupOut; j++)
                    {
                        var c = (i / inPerGroup * perGroupOut) + j;
                        var offset = ((i * perGroupOut) + j) * kernel;
                        System.Numerics.Tensors.TensorPrimitives.Multiply(w.AsSpan(offset, kernel), factor[c], w.AsSpan(offset, kernel));
                    }
                }

                return null;
            }

            default:
            {
                if (GemmForm.Of(producer, dims) is not { } gemm || gemm.N != channels)
                {
                    return "the Gemm weight does not have one column per BatchNormalization channel";
                }

                var (transB, alpha) = (gemm.TransB, gemm.Alpha);

                var (rows, cols) = ((int)dims[0], (int)dims[1]);
                for (var r = 0; r < rows; r++)
                {
                    for (var k = 0; k < cols; k++)
                    {
                        w[(r * cols) + k] *= alpha * factor[transB ? r : k];
                    }
                }

                return null;
            }
        }
    }

    private static float[]? FloatInitializer(OnnxModel model, string name)
    {
        var tensor = model.Graph.Initializer.FirstOrDefault(t => t.Name == name);
        return tensor is null || tensor.DataType != (int)TensorProto.Types.DataType.Float || model.Graph.Input.Any(i => i.Name == name)
            ? null
            : TensorData.ToSingles(tensor, model);
    }
}
