using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Quantization.Selection;
using CompressBuild.Engine.Quantization.Weights;

namespace CompressBuild.Engine.Quantization.Qdq;

/// <summary>
/// int8-static in QDQ form, placed the way ONNX Runtime's QDQ fusions expect: each quantized activation gets
/// one QuantizeLinear -> DequantizeLinear pair read by the quantized nodes, weights are stored as int8 with a
/// DequantizeLinear (per channel where the opset allows), biases as int32 with scale = input scale x weight
/// scale, and a Relu right after a quantized node is folded into that node's output quantization (u8 with
/// zero point 0 clamps at 0 exactly as Relu does).
/// </summary>
internal static class QdqQuantizer
{
    public static void Apply(QuantizationWork work, Dataset calibration, QuantizationOptions options)
    {
        // The bodies' Constant weights are promoted first, so the main graph's calibration copy and the bodies' agree.
        var bodies = Subgraphs.All(work.Graph).Skip(1).ToList();
        var placed = ApplyTo(work, work.Graph, calibration, options, new OnnxModel(work.Proto.Clone(), work.Model.BaseDirectory, work.Model.SourcePath), null);
        if (FloatComputeWeights.Store(work, work.Graph, options, placed.Contains, placed).Contains("MatMul"))
        {
            // A MatMul's int8-weight form is com.microsoft MatMulNBits.
            GraphEditor.EnsureOpset(work.Proto, GraphEditor.MicrosoftDomain, 1);
        }
        SubgraphQdq.Apply(work, bodies, calibration, options);
    }

    /// <summary>
    /// Quantizes one graph: the main graph (<paramref name="branches"/> null), or an If branch whose values
    /// <paramref name="branches"/> exposes in <paramref name="calibrationModel"/> under the names it maps them to.
    /// AdaRound and bias correction capture main-graph layers only, so a branch's layers get round-to-nearest weights.
    /// Returns the nodes latency placement kept float (their weights can still be stored as int8: <see cref="FloatComputeWeights"/>).
    /// </summary>
    internal static HashSet<NodeProto> ApplyTo(QuantizationWork work, GraphProto graph, Dataset calibration, QuantizationOptions options, OnnxModel calibrationModel,
        BranchCalibration? branches)
    {
        string Calibrated(string value) => branches is null ? value : branches.Name(graph, value);
        var index = GraphIndex.Build(graph);
        var context = new QuantizationContext(work.Model, index, options, work.PerChannelAllowed);
        var order = index.TopologicalOrder();
        var weighted = order.Where(n => OperatorQuantizers.For(n.OpType) is { IsWeighted: true } q && q.Unsupported(n, context) is null).ToList();
        var selection = new NodeSelection(work.Exclusions, options, weighted);
        var recurrent = RecurrentState.Values(work.Graph);
        var feedsRecurrence = RecurrentState.Inputs(work.Graph);

        // One answer to "which range method does this activation take", read both by what calibration keeps and by the range chosen.
        CalibrationMethod MethodOf(string source) => options.ActivationCalibration.TryGetValue(source, out var chosen) ? chosen
            : RecurrentState.RangeMethod(options.Calibration, feedsRecurrence.Contains(source));
        var stateNodes = 0;

        var selected = new List<(NodeProto Node, OperatorQuantizer Quantizer)>();
        var selectedSet = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        var placement = new LatencyPlacement(context, selectedSet);
        var placed = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        foreach (var node in order)
        {
            if (node.OpType is "Constant" or "Relu")
            {
                continue;
            }

            if (OperatorQuantizers.For(node.OpType) is not { } quantizer)
            {
                work.LeftFloat(node, "no int8 QDQ form for this op type");
                continue;
            }

            var reason = selection.ExcludedBecause(node) ?? quantizer.Unsupported(node, context)
                ?? (!quantizer.IsWeighted && node.Output.All(o => o.Length == 0 || (index.IsGraphOutput(o) && index.Consumers(o).Count == 0))
                    ? "its output is a model output, which stays float: quantizing it would only add error" : null)
                ?? (!quantizer.IsWeighted && node.Output.All(o => o.Length == 0 || recurrent.Contains(o)) ? RecurrentState.Reason : null);
            if (reason is null && placement.FloatBecause(node) is { } slower)
            {
                work.LeftFloat(node, slower);
                placed.Add(node);
                continue;
            }

            if (reason is not null)
            {
                stateNodes += reason == RecurrentState.Reason ? 1 : 0;
                work.LeftFloat(node, reason);
                if (quantizer.IsWeighted && selection.ExcludedBecause(node) is null)
                {
                    work.Advise(DiagnosticCodes.OperatorLeftFloat, $"{node.OpType} '{node.Name}' stays float: {reason}.");
                }

                continue;
            }

            selected.Add((node, quantizer));
            selectedSet.Add(node);
        }

        foreach (var alone in IsolatedNodes.Drop(index, selected, selectedSet))
        {
            work.LeftFloat(alone, IsolatedNodes.Reason);
        }

        if (placed.Count > 0)
        {
            work.Advise(DiagnosticCodes.KeptFloatByPlacement, LatencyPlacement.Summary([.. placed]));
        }

        if (!selected.Any(s => s.Quantizer.IsWeighted))
        {
            return placed;
        }

        var originalOutputs = new Dictionary<NodeProto, string>(ReferenceEqualityComparer.Instance);
        var folded = FoldRelus(work, index, order, selection, selectedSet, options, originalOutputs);
        var types = ValueTypes.Infer(graph, branches?.Types(graph));
        index = GraphIndex.Build(graph);
        context = new QuantizationContext(work.Model, index, options, work.PerChannelAllowed);

        // The activations to quantize, in graph order; outputs of value-preserving ops point at their source. Those the
        // options leave float (Mixed.ActivationSelection's choice) get no Q/DQ pair: their readers compute in float.
        var floatActivations = options.FloatActivations.ToHashSet(StringComparer.Ordinal);
        var tensors = new List<string>();
        var sharedWith = new Dictionary<string, string>(StringComparer.Ordinal);
        var keptState = new HashSet<string>(StringComparer.Ordinal);
        void Want(string value)
        {
            if (value.Length > 0 && !context.IsConstant(value) && ValueTypes.IsFloat(types, value) && !tensors.Contains(value) && !floatActivations.Contains(value))
            {
                if (recurrent.Contains(value))
                {
                    keptState.Add(value);
                    return;
                }

                tensors.Add(value);
            }
        }

        foreach (var (node, quantizer) in selected)
        {
            foreach (var i in quantizer.ActivationInputs(node, context).Where(i => i < node.Input.Count))
            {
                Want(node.Input[i]);
            }

            var output = node.Output[0];
            if (quantizer.OutputSharesInputParams && tensors.Contains(node.Input[0]))
            {
                sharedWith[output] = node.Input[0];
                Want(output);
            }
            else if ((quantizer.AlwaysQuantizeOutput && index.Consumers(output).Count > 0) || index.Consumers(output).Any(selectedSet.Contains))
            {
                Want(output);
            }
        }

        if (keptState.Count > 0 || stateNodes > 0)
        {
            work.Advise(DiagnosticCodes.RecurrentStateKeptFloat, $"{keptState.Count} value(s) of recurrent state read by quantized nodes and {stateNodes} node(s) that only " +
                "pass state on keep float (a recurrent op's state, a Loop/Scan body's carried values): rounding the state to 8 bits on every step would feed the error back into the recurrence.");
        }

        var measured = tensors.Where(t => !sharedWith.ContainsKey(t)).ToList();
        var histograms = work.Histograms ?? new Dictionary<string, ActivationHistogram>(StringComparer.Ordinal);
        // A summary gathered for another method may lack what this one reads (a percentile tail where mse wants the histogram).
        var binned = measured.Where(m => CalibrationNeeds.Bins(options, MethodOf(m))).Select(Calibrated).ToHashSet(StringComparer.Ordinal);
        var missing = measured.Select(Calibrated).Distinct(StringComparer.Ordinal)
            .Where(m => !(histograms.TryGetValue(m, out var known) && known.Serves(binned.Contains(m), options.Percentile))).ToList();
        if (missing.Count > 0)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var cpu = Environment.CpuUsage.TotalTime;
            foreach (var (name, histogram) in CalibrationCollector.Collect(calibrationModel, missing, calibration, options.Session, binned.Contains, options.Percentile))
            {
                histograms[name] = histogram;
            }

            work.CalibrationMilliseconds += clock.Elapsed.TotalMilliseconds;
            work.CalibrationCpuMilliseconds += (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
        }

        var medians = QuarterMedianRanges.Collect(calibrationModel, [.. measured.Where(m => MethodOf(m) == CalibrationMethod.MseMedian).Select(Calibrated)], calibration, options.Session);
        var calibrator = RangeCalibrator.Create(options.Calibration, options.Percentile);
        var parameters = new Dictionary<string, QuantParams>(StringComparer.Ordinal);
        var clamped = 0;
        foreach (var tensor in tensors)
        {
            var source = tensor;
            while (sharedWith.TryGetValue(source, out var next))
            {
                source = next;
            }

            if (!parameters.TryGetValue(source, out var known))
            {
                var method = MethodOf(source);
                var range = medians.TryGetValue(Calibrated(source), out var median) ? median
                    : (method == options.Calibration ? calibrator : RangeCalibrator.Create(method, options.Percentile)).Range(histograms[Calibrated(source)]);
                var narrowed = SaturationClamp.Apply(range, source, index);
                clamped += narrowed != range ? 1 : 0;
                known = QuantParams.FromRange(narrowed, options.ActivationType, options.ActivationSymmetric);
                if (options.ScaleConstraint == ScaleConstraint.PowerOfTwo)
                {
                    // A clamped range ends at its readers' saturation points: values past them cost nothing to clip.
                    var saturation = narrowed != range ? narrowed : new QuantRange(float.NegativeInfinity, float.PositiveInfinity);
                    known = PowerOfTwoScale.ForHistogram(known, narrowed, options.ActivationSymmetric, histograms[Calibrated(source)], saturation);
                }
            }

            parameters[tensor] = known;
        }

        if (clamped > 0)
        {
            work.FusionRewrites.Add($"{clamped} activation range(s) read only by HardSwish/HardSigmoid clamped at their saturation points (exact: those readers give the same outputs)");
        }

        var editor = new GraphEditor(graph);
        var dequantized = new Dictionary<string, string>(StringComparer.Ordinal);
        var scales = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            (dequantized[tensor], scales[tensor]) = editor.AddQdq(tensor, parameters[tensor]);
        }

        var weightInputs = selected.Select(s => s.Quantizer.Weight(s.Node, context)).OfType<WeightInput>().ToList();
        var rounding = WeightRoundings.Resolve(options.Rounding, calibration);
        var rounded = branches is not null ? null : rounding switch
        {
            WeightRounding.AdaRound => AdaRoundWeights.Apply(calibrationModel, weightInputs, calibration, options),
            WeightRounding.Gptq => GptqWeights.Apply(calibrationModel, weightInputs, parameters, calibration, options),
            _ => null,
        };
        var weights = new WeightCache(editor, work.Model, options, rounded);
        var constants = new ConstantOperandCache(editor, work.Model, options);
        var corrections = new List<BiasCorrection.Layer>();
        foreach (var (node, quantizer) in selected)
        {
            // Read the weight and bias before any input is redirected to a DequantizeLinear output.
            var input = node.Input[0];
            var weight = quantizer.Weight(node, context);
            var bias = weight is null ? -1 : quantizer.BiasInput(node, context);
            var biasTensor = bias >= 0 ? context.FloatConstant(node.Input[bias]) : null;
            var touched = false;
            foreach (var i in quantizer.ActivationInputs(node, context).Where(i => i < node.Input.Count))
            {
                if (dequantized.TryGetValue(node.Input[i], out var dq))
                {
                    node.Input[i] = dq;
                    touched = true;
                }
                else if (quantizer.QuantizesConstantInputs && context.FloatConstant(node.Input[i]) is { } constant)
                {
                    node.Input[i] = constants.Get(constant);
                }
            }

            if (!touched && weight is null)
            {
                if (quantizer.ActivationInputs(node, context).Any(i => i < node.Input.Count && options.FloatActivations.Contains(node.Input[i])))
                {
                    work.LeftFloat(node, "its inputs are activations left float (float_activations)");
                }


                // Shape arithmetic (int64 Concat, Unsqueeze...) matches the op type but carries no float data.
                continue;
            }

            var detail = "activations u8/s8 via QDQ";
            if (weight is not null)
            {
                var quantized = weights.Get(weight);
                node.Input[weight.Index] = quantized.Dequantized;
                var how = rounding == WeightRounding.Gptq ? ", GPTQ" : ", AdaRound";
                detail = (weight.Axis >= 0 ? $"per-channel weights (axis {weight.Axis})" : "per-tensor weights") + (rounded?.ContainsKey(weight.Tensor.Name) == true ? how : "");
                if (biasTensor is not null && parameters.TryGetValue(input, out var inputParams))
                {
                    node.Input[bias] = QuantizeBias(editor, work.Model, biasTensor, inputParams.Scale, scales[input], quantized, out var biasData, out var biasScales);
                    corrections.Add(new BiasCorrection.Layer(node.Name, originalOutputs.GetValueOrDefault(node) ?? node.Output[0], node.Output[0], biasData, biasScales));
                    detail += ", int32 bias";
                }
            }

            work.Quantized(node, detail);
        }

        RedirectFloatReaders(graph, dequantized);
        foreach (var relu in folded)
        {
            work.Quantized(relu, "folded into the preceding node's output quantization");
        }

        editor.Finish();
        if (options.BiasCorrection && branches is null)
        {
            foreach (var name in BiasCorrection.Apply(work, calibrationModel, corrections, calibration, options.Session))
            {
                var at = work.Decisions.FindIndex(d => d.Node == name);
                work.Decisions[at] = work.Decisions[at] with { Detail = work.Decisions[at].Detail + ", bias corrected" };
            }
        }

        return placed;
    }

    /// <summary>
    /// Every reader of a quantized value, float ops included, reads its DequantizeLinear output: ONNX Runtime fuses
    /// a node with the QuantizeLinear after it only when that Q is the node's sole consumer, so a float reader of
    /// the raw value would keep the producer (a Conv, say) in float. Graph outputs keep the raw value.
    /// </summary>
    private static void RedirectFloatReaders(GraphProto graph, Dictionary<string, string> dequantized)
    {
        foreach (var node in graph.Node)
        {
            if (node.OpType == "QuantizeLinear" && node.Domain is "" or "ai.onnx")
            {
                continue;
            }

            for (var i = 0; i < node.Input.Count; i++)
            {
                if (dequantized.TryGetValue(node.Input[i], out var dq))
                {
                    node.Input[i] = dq;
                }
            }
        }
    }

    /// <summary>
    /// Removes a Relu whose input comes only from a quantized node and whose output only quantized nodes read:
    /// the producer writes the Relu's output directly, whose calibrated range starts at 0, so its asymmetric Q
    /// saturates negatives to 0 itself. A float reader of the Relu's output would see the unclamped values, so
    /// then the Relu stays.
    /// </summary>
    private static List<NodeProto> FoldRelus(QuantizationWork work, GraphIndex index, IReadOnlyList<NodeProto> order, NodeSelection selection,
        HashSet<NodeProto> selectedSet, QuantizationOptions options, Dictionary<NodeProto, string> originalOutputs)
    {
        var folded = new List<NodeProto>();
        if (options.ActivationSymmetric)
        {
            return folded;
        }

        foreach (var relu in order.Where(n => n.OpType == "Relu"))
        {
            var input = relu.Input[0];
            // A Relu whose output stays float (float_activations) has no Q to clamp at 0 for it: it must stay.
            if (selection.ExcludedBecause(relu) is not null || options.FloatActivations.Contains(relu.Output[0]) || index.Producer(input) is not { } producer || !selectedSet.Contains(producer)
                || OperatorQuantizers.For(producer.OpType)!.OutputSharesInputParams || index.Consumers(input).Count != 1 || index.IsGraphOutput(input)
                || producer.Output.Count != 1 || index.IsGraphOutput(relu.Output[0]) || !index.Consumers(relu.Output[0]).All(selectedSet.Contains))
            {
                if (selection.ExcludedBecause(relu) is { } reason)
                {
                    work.LeftFloat(relu, reason);
                }

                continue;
            }

            originalOutputs[producer] = producer.Output[0];
            producer.Output[0] = relu.Output[0];
            index.Graph.Node.Remove(relu);
            folded.Add(relu);
        }

        return folded;
    }

    /// <summary>
    /// The bias as int32 in steps of input scale x weight scale. That scale is computed by a Mul of the two
    /// existing scale initializers rather than stored again (ONNX Runtime folds it), which keeps the file small.
    /// </summary>
    private static string QuantizeBias(GraphEditor editor, OnnxModel model, TensorProto bias, float inputScale, string inputScaleName,
        QuantizedWeight weight, out string dataName, out float[] biasScales)
    {
        var weights = weight.Weights;
        var values = TensorData.ToSingles(bias, model);
        var scales = new float[values.Length];
        var quantized = new int[values.Length];
        for (var c = 0; c < values.Length; c++)
        {
            var weightScale = weights.Channels.Length == 1 ? weights.Channels[0].Scale : weights.Channels[c].Scale;
            scales[c] = inputScale * weightScale;
            quantized[c] = (int)Math.Clamp(Math.Round(values[c] / (double)scales[c], MidpointRounding.ToEven), int.MinValue, int.MaxValue);
        }

        var perChannel = weights.Channels.Length > 1;
        var data = editor.AddInitializer<int>(bias.Name + "_quantized", [values.Length], quantized);
        dataName = data;
        biasScales = scales;
        var scale = editor.UniqueName(bias.Name + "_quantized_scale");
        editor.AddNode("Mul", [inputScaleName, weight.Scale], [scale], bias.Name + "_scale_Mul");
        var output = editor.UniqueName(bias.Name + "_dequantized");
        var dq = editor.AddNode("DequantizeLinear", [data, scale], [output], bias.Name + "_DequantizeLinear");
        if (perChannel)
        {
            NodeAttributes.SetInt(dq, "axis", 0);
        }

        return output;
    }
}
