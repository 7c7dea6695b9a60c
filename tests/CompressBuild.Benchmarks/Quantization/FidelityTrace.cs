using System.Globalization;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;

namespace CompressBuild.Benchmarks.Quantization;

/// <summary>
/// Where int8-static loses output cosine on a public model: quantizes it (16 rendered calibration inputs, seed 7),
/// then, on 8 other rendered inputs (seed 11 unless --seed says otherwise), measures the output cosine of the whole int8 model, of the model with
/// every activation Q/DQ pair removed (weights alone), and of the model with each activation Q/DQ pair removed in
/// turn: the cosine that removal gains is what quantizing that tensor costs. Each tensor's local SQNR (its own
/// Q/DQ applied to the values it takes inside the int8 model) and clipped share are printed beside it; for a range that
/// folds a Relu or ends at a HardSwish/HardSigmoid saturation point that clipping is exact, so there the local figures
/// overstate the error. With --units, each Conv/MatMul/Gemm is left float in turn (one quantization per node).
/// </summary>
internal static class FidelityTrace
{
    public static int Run(string name, CalibrationMethod method, int top, bool units, TextWriter output, int seed = 11)
    {
        var (kind, height, width) = name switch
        {
            Testing.RealModels.PaddleOcrDetector => ("det", 320, 320),
            Testing.RealModels.PaddleOcrRecognizer => ("rec", 48, 320),
            Testing.RealModels.PaddleOcrClassifier => ("cls", 48, 192),
            _ => throw new ArgumentException($"unknown model {name}"),
        };
        if (Testing.RealModels.Find(name) is not { } path)
        {
            output.WriteLine($"{name}: skipped, {Testing.RealModels.MissingReason(name)}");
            return 0;
        }

        using var folder = new Engine.IO.ScratchFolder("fidelity-trace");
        var calibration = OcrInputs.Render(folder.Path, kind, 16, seed: 7, height, width);
        var evaluation = OcrInputs.Render(folder.Path, kind, 8, seed, height, width);
        var model = OnnxModelReader.Load(path);
        var options = new QuantizationOptions { Mode = QuantizationMode.Int8Static, Calibration = method };
        var pass = QuantizationPass.Run(model, new QuantizationRequest(options, calibration)).Result;
        var quantized = pass.Model;
        var settings = SessionSettings.Default with { IntraOpThreads = 1 };
        using var reference = ModelSessions.Open(path, settings);
        var data = DatasetLoader.Open(evaluation, reference.Inputs);
        double Cosine(ModelProto proto)
        {
            using var candidate = ModelSessions.Open(new OnnxModel(proto, model.BaseDirectory), settings);
            return ModelComparison.Run(reference!, candidate, data!).Outputs[0].Cosine;
        }

        var pairs = ActivationPairs(quantized.Graph);
        var whole = Cosine(quantized.Proto);
        var weightsOnly = quantized.Proto.Clone();
        foreach (var pair in ActivationPairs(weightsOnly.Graph))
        {
            Bypass(weightsOnly.Graph, pair, quantized);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}, calibration {CalibrationMethods.NameOf(method)}: int8 cosine {whole:0.0000}; weights int8, activations float {Cosine(weightsOnly):0.0000}; {pairs.Count} activation Q/DQ pairs"));
        var local = LocalNoise(quantized, pairs, data, settings);
        var index = GraphIndex.Build(quantized.Graph);
        var rows = new List<(double Gain, string Line)>();
        foreach (var pair in pairs)
        {
            var variant = quantized.Proto.Clone();
            Bypass(variant.Graph, ActivationPairs(variant.Graph).Single(p => p.Quantize.Name == pair.Quantize.Name), quantized);
            var gain = Math.Round(Cosine(variant) - whole, 4);
            var tensor = pair.Quantize.Input[0];
            var producer = index.Producer(tensor)?.OpType ?? "input";
            var readers = string.Join(",", pair.Dequantize.SelectMany(d => index.Consumers(d.Output[0])).Select(c => c.OpType).Distinct());
            var (sqnr, clipped, low, high) = local[tensor];
            rows.Add((gain, string.Create(CultureInfo.InvariantCulture,
                $"| {tensor} | {producer} -> {readers} | [{low:0.###}, {high:0.###}] | {sqnr:0.0} dB | {clipped:P3} | {gain:+0.0000;-0.0000} |")));
        }

        if (units)
        {
            // Each weighted node unit (its weight, its input and output Q/DQ) left float in turn: the cosine it costs.
            var calibrationData = DatasetLoader.Open(calibration, reference.Inputs);
            var unitRows = new List<(double Gain, string Line)>();
            foreach (var node in pass.Nodes.Where(n => n.Quantized && n.OpType is "Conv" or "MatMul" or "Gemm"))
            {
                var excluded = ModelQuantizer.Quantize(model, options with { ExcludeNodes = [node.Node] }, calibrationData).Model;
                var gain = Math.Round(Cosine(excluded.Proto) - whole, 4);
                unitRows.Add((gain, string.Create(CultureInfo.InvariantCulture, $"| {node.Node} | {node.OpType} | {gain:+0.0000;-0.0000} |")));
            }

            output.WriteLine("| node unit | op | cosine gained when float |");
            output.WriteLine("|---|---|---:|");
            foreach (var (_, line) in unitRows.OrderByDescending(r => r.Gain).Take(top))
            {
                output.WriteLine(line);
            }
        }

        output.WriteLine("| tensor | producer -> readers | quantized range | local SQNR | clipped | cosine gained when float |");
        output.WriteLine("|---|---|---|---:|---:|---:|");
        foreach (var (_, line) in rows.OrderByDescending(r => r.Gain).Take(top))
        {
            output.WriteLine(line);
        }

        return 0;
    }

    private sealed record Pair(NodeProto Quantize, IReadOnlyList<NodeProto> Dequantize);

    /// <summary>QuantizeLinear nodes on computed values (not initializers) with the DequantizeLinear nodes that read them.</summary>
    private static List<Pair> ActivationPairs(GraphProto graph)
    {
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        return graph.Node.Where(n => n.OpType == "QuantizeLinear" && !initializers.Contains(n.Input[0]))
            .Select(q => new Pair(q, graph.Node.Where(d => d.OpType == "DequantizeLinear" && d.Input[0] == q.Output[0]).ToList()))
            .Where(p => p.Dequantize.Count > 0).ToList();
    }

    /// <summary>
    /// Readers of the pair's DequantizeLinear outputs read the float value instead; the pair goes. A range that
    /// starts at 0 may stand for a Relu folded into the quantization, so the float value then passes a Relu (exact
    /// either way: such a tensor was never negative on the calibration data, or was clamped at 0 by the pair).
    /// </summary>
    private static void Bypass(GraphProto graph, Pair pair, OnnxModel model)
    {
        var source = pair.Quantize.Input[0];
        var parameters = Parameters(model, pair.Quantize);
        if (parameters.ZeroPoint == parameters.QMin)
        {
            var relu = new NodeProto { OpType = "Relu", Name = pair.Quantize.Name + "_trace_relu" };
            relu.Input.Add(source);
            relu.Output.Add(source + "_trace_relu");
            graph.Node.Insert(graph.Node.IndexOf(pair.Quantize), relu);
            source = relu.Output[0];
        }

        foreach (var dq in pair.Dequantize)
        {
            foreach (var node in graph.Node)
            {
                for (var i = 0; i < node.Input.Count; i++)
                {
                    if (node.Input[i] == dq.Output[0])
                    {
                        node.Input[i] = source;
                    }
                }
            }

            graph.Node.Remove(dq);
        }

        graph.Node.Remove(pair.Quantize);
    }

    /// <summary>Each pair's own rounding and clipping on the values its input takes inside the int8 model.</summary>
    private static Dictionary<string, (double Sqnr, double Clipped, float Low, float High)> LocalNoise(OnnxModel quantized, List<Pair> pairs, Dataset data,
        SessionSettings settings)
    {
        var tensors = pairs.Select(p => p.Quantize.Input[0]).Distinct().ToList();
        var parameters = pairs.GroupBy(p => p.Quantize.Input[0]).ToDictionary(g => g.Key, g => Parameters(quantized, g.First().Quantize), StringComparer.Ordinal);
        var sums = tensors.ToDictionary(t => t, _ => new double[4], StringComparer.Ordinal);
        ActivationCapture.Run(quantized, tensors, data, (_, captured) =>
        {
            for (var k = 0; k < captured.Count; k++)
            {
                var p = parameters[tensors[k]];
                var sum = sums[tensors[k]];
                foreach (var x in captured[k].AsSpan<float>())
                {
                    var q = Math.Round((x / (double)p.Scale) + p.ZeroPoint, MidpointRounding.ToEven);
                    var clamped = Math.Clamp(q, p.QMin, p.QMax);
                    var e = x - ((clamped - p.ZeroPoint) * p.Scale);
                    sum[0] += (double)x * x;
                    sum[1] += e * e;
                    sum[2] += q != clamped ? 1 : 0;
                    sum[3]++;
                }
            }
        }, settings);
        return tensors.ToDictionary(t => t, t =>
        {
            var p = parameters[t];
            var s = sums[t];
            return (10 * Math.Log10(s[0] / Math.Max(s[1], 1e-30)), s[2] / Math.Max(1, s[3]), (p.QMin - p.ZeroPoint) * p.Scale, (p.QMax - p.ZeroPoint) * p.Scale);
        }, StringComparer.Ordinal);
    }

    private static QuantParams Parameters(OnnxModel model, NodeProto quantize)
    {
        var scale = model.Graph.Initializer.Single(i => i.Name == quantize.Input[1]);
        var zeroPoint = model.Graph.Initializer.Single(i => i.Name == quantize.Input[2]);
        var type = zeroPoint.DataType == (int)TensorProto.Types.DataType.Uint8 ? QuantType.U8 : QuantType.S8;
        int zero = type == QuantType.U8 ? TensorData.ToArray<byte>(zeroPoint, model)[0] : TensorData.ToArray<sbyte>(zeroPoint, model)[0];
        return new QuantParams(TensorData.ToSingles(scale, model)[0], zero, type);
    }
}
