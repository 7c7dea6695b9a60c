using System.Globalization;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Runtime;
using CompressBuild.Testing;

namespace CompressBuild.Benchmarks.RealModels;

/// <summary>
/// What the Loop/Scan VAD models return besides their probabilities: the LSTM state after a call. Quantizes silero-vad-loop /
/// -scan (int8-static calibrated as the <c>vad</c> benchmark does: 8 s of other speech, seed 11, whole 64-chunk segments with the
/// state the float model carries into them) and compares every output with the float model's as <c>verify</c> does, on 10
/// segments of 64 chunks of other speech (seed 13 unless --test-seed, state and context zero at each start): mean cosine and SQNR per output, and
/// whether the default fidelity floors pass. With <c>--ablate</c>, each activation Q/DQ pair (in every graph, the bodies'
/// included) is removed in turn, and each weighted node is left float in turn (one quantization each), and the state cosine each
/// gains is printed: where the state's error comes from.
/// </summary>
internal static class VadState
{
    public const int Segments = 10;

    public static int Run(IReadOnlyList<string> models, IReadOnlyList<string> methods, bool ablate, int top, IReadOnlyList<string> groups,
        IReadOnlyList<string> floatActivations, IReadOnlyList<string> minMax, IReadOnlyList<string> mse, int testSeed, TextWriter output)
    {
        using var folder = new Engine.IO.ScratchFolder("vad-state");
        var (calibrationFrames, _) = VadAudio.Render(folder.Path, 8, seed: 11);
        var (testFrames, _) = VadAudio.Render(folder.Path, (Segments * VadLoop.Segment * VadAudio.Frame / 16000.0) + 0.5, seed: testSeed);
        output.WriteLine($"ONNX Runtime {InferenceSession.RuntimeVersion}; {Segments} segments of {VadLoop.Segment} chunks (seed {testSeed}), state and context zero at each start");
        string[] all = [Testing.RealModels.SileroVadLoop, Testing.RealModels.SileroVadScan];
        foreach (var name in all.Where(n => models.Count == 0 || models.Contains(n)))
        {
            if (Testing.RealModels.Find(name) is not { } path)
            {
                output.WriteLine($"{name}: skipped, {Testing.RealModels.MissingReason(name)}");
                continue;
            }

            var settings = SessionSettings.Default with { IntraOpThreads = 1 };
            using var reference = ModelSessions.Open(path, settings);
            var calibration = DatasetLoader.Open(VadLoop.WriteCalibration(path, calibrationFrames, Path.Combine(folder.Path, name + "-calibration"), 1), reference.Inputs);
            var test = DatasetLoader.Open(VadLoop.WriteSegments(testFrames, Path.Combine(folder.Path, name + "-test"), Segments), reference.Inputs);
            var model = OnnxModelReader.Load(path);
            output.WriteLine($"| {name} | mode | size ratio | output cosine / SQNR | stateN cosine / SQNR | contextN cosine | default floors |");
            output.WriteLine("|---|---|---|---|---|---|---|");
            var variants = new List<(string Name, QuantizationOptions Options)> { ("int8-dynamic", new QuantizationOptions { Mode = QuantizationMode.Int8Dynamic }) };
            variants.AddRange(CalibrationMethods.All.Where(c => methods.Count == 0 || methods.Contains(c.Name))
                .Select(c => ($"int8-static {c.Name}", new QuantizationOptions
                {
                    Mode = QuantizationMode.Int8Static, Calibration = c.Value, FloatActivations = floatActivations,
                    ActivationCalibration = minMax.Select(t => (Tensor: t, Method: CalibrationMethod.MinMax)).Concat(mse.Select(t => (Tensor: t, Method: CalibrationMethod.Mse)))
                        .ToDictionary(p => p.Tensor, p => p.Method, StringComparer.Ordinal),
                })));
            foreach (var (mode, options) in variants)
            {
                var quantized = ModelQuantizer.Quantize(OnnxModelReader.Load(path), options, options.Mode == QuantizationMode.Int8Static ? calibration : null).Model;
                var saved = Path.Combine(folder.Path, $"{name}-{mode.Replace(' ', '-')}.onnx");
                OnnxModelWriter.Save(quantized, saved, ModelSaveOptions.Default);
                var ratio = (double)new FileInfo(path).Length / new FileInfo(saved).Length;
                var result = Compare(reference, quantized, test, settings);
                var floors = FidelityFloors.Evaluate(new BudgetSet(), result).ToList();
                var missed = floors.Where(c => c.Status == BudgetStatus.Failed).Select(c => c.Name).ToList();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {mode} | {ratio:F2}x | {Of(result, "output")} | {Of(result, "stateN")} | {result.Outputs.Single(o => o.Name == "contextN").Cosine:0.0000} | " +
                    $"{(missed.Count == 0 ? "pass" : "miss " + string.Join(", ", missed))} |"));
                output.WriteLine("  per segment (stateN cosine, reference norm): " + string.Join(" ", PerSegment(reference, quantized, test, settings)));
                if (ablate && options.Mode == QuantizationMode.Int8Static)
                {
                    Ablate(model, quantized, options, calibration, reference, test, settings, top, groups, output);
                }
            }
        }

        return 0;
    }

    private static IEnumerable<string> PerSegment(InferenceSession reference, OnnxModel candidate, Dataset data, SessionSettings settings)
    {
        using var session = ModelSessions.Open(candidate, settings);
        for (var i = 0; i < data.Count; i++)
        {
            var r = reference.Run(data.Sample(i), ["stateN"])[0].AsSpan<float>().ToArray();
            var c = session.Run(data.Sample(i), ["stateN"])[0].AsSpan<float>().ToArray();
            var cosine = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(r, c);
            yield return string.Create(CultureInfo.InvariantCulture, $"{cosine:0.000}/{System.Numerics.Tensors.TensorPrimitives.Norm(r):0.0}");
        }
    }

    private static string Of(ComparisonResult result, string output) =>
        result.Outputs.Single(o => o.Name == output) is var m ? string.Create(CultureInfo.InvariantCulture, $"{m.Cosine:0.0000} (min {m.MinCosine:0.0000}) / {m.SqnrDb:0.0} dB") : "";

    private static ComparisonResult Compare(InferenceSession reference, OnnxModel candidate, Dataset data, SessionSettings settings)
    {
        using var session = ModelSessions.Open(candidate, settings);
        return ModelComparison.Run(reference, session, data);
    }

    /// <summary>Each activation pair bypassed in turn, then each weighted node left float in turn: the state and output cosine gained.</summary>
    private static void Ablate(OnnxModel model, OnnxModel quantized, QuantizationOptions options, Dataset calibration, InferenceSession reference, Dataset test,
        SessionSettings settings, int top, IReadOnlyList<string> groups, TextWriter output)
    {
        (double State, double Output) Score(OnnxModel candidate)
        {
            var result = Compare(reference, candidate, test, settings);
            return (result.Outputs.Single(o => o.Name == "stateN").Cosine, result.Outputs.Single(o => o.Name == "output").Cosine);
        }

        // Groups: "label=substring,substring": every activation pair whose tensor name holds one of the substrings is removed together.
        foreach (var group in groups)
        {
            var label = group.Split('=')[0];
            var parts = group.Split('=')[1].Split('+');
            var variant = quantized.Proto.Clone();
            var chosen = Pairs(variant).Where(p => parts.Any(part => p.Quantize.Input[0].Contains(part, StringComparison.Ordinal))).ToList();
            foreach (var pair in chosen)
            {
                Bypass(pair);
            }

            var result = Compare(reference, new OnnxModel(variant, model.BaseDirectory, model.SourcePath), test, settings);
            var state = result.Outputs.Single(o => o.Name == "stateN");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| group {label} ({chosen.Count} pairs) | stateN {state.Cosine:0.0000} (min {state.MinCosine:0.0000}, {state.SqnrDb:0.0} dB) | " +
                $"output {result.Outputs.Single(o => o.Name == "output").Cosine:0.0000} |"));
        }

        var whole = Score(quantized);
        var pairs = Pairs(quantized.Proto);
        var all = quantized.Proto.Clone();
        foreach (var pair in Pairs(all))
        {
            Bypass(pair);
        }

        var activationsFloat = Score(new OnnxModel(all, model.BaseDirectory, model.SourcePath));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"int8 stateN cosine {whole.State:0.0000}, output {whole.Output:0.0000}; all {pairs.Count} activation Q/DQ pairs removed (weights int8): " +
            $"stateN {activationsFloat.State:0.0000}, output {activationsFloat.Output:0.0000}"));
        if (top <= 0)
        {
            return;
        }

        var rows = new List<(double Gain, string Line)>();
        for (var k = 0; k < pairs.Count; k++)
        {
            var variant = quantized.Proto.Clone();
            var pair = Pairs(variant)[k];
            var tensor = pair.Quantize.Input[0];
            var readers = string.Join(",", pair.Dequantize.SelectMany(d => GraphNodes.All(pair.Graph).Where(n => n.Input.Contains(d.Output[0]))).Select(n => n.OpType).Distinct());
            var producer = pair.Graph.Node.FirstOrDefault(n => n.Output.Contains(tensor))?.OpType ?? "outer";
            var range = Range(pair);
            Bypass(pair);
            var score = Score(new OnnxModel(variant, model.BaseDirectory, model.SourcePath));
            rows.Add((score.State - whole.State, string.Create(CultureInfo.InvariantCulture,
                $"| {tensor} | {producer} -> {readers} | {range} | {score.State - whole.State:+0.0000;-0.0000} | {score.Output - whole.Output:+0.0000;-0.0000} |")));
        }

        output.WriteLine("| activation left float | producer -> readers | quantized range | stateN cosine gained | output cosine gained |");
        output.WriteLine("|---|---|---|---:|---:|");
        foreach (var (_, line) in rows.OrderByDescending(r => r.Gain).Take(top))
        {
            output.WriteLine(line);
        }

        var weighted = GraphNodes.All(model.Graph).Where(n => n.OpType is "Conv" or "LSTM" or "GRU" or "MatMul" or "Gemm").ToList();
        output.WriteLine("| weighted node left float | op | stateN cosine gained | output cosine gained |");
        output.WriteLine("|---|---|---:|---:|");
        foreach (var node in weighted)
        {
            var excluded = ModelQuantizer.Quantize(OnnxModelReader.Load(model.SourcePath!), options with { ExcludeNodes = [node.Name] }, calibration).Model;
            var score = Score(excluded);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {node.Name} | {node.OpType} | {score.State - whole.State:+0.0000;-0.0000} | {score.Output - whole.Output:+0.0000;-0.0000} |"));
        }
    }

    private sealed record Pair(GraphProto Graph, NodeProto Quantize, IReadOnlyList<NodeProto> Dequantize);

    /// <summary>QuantizeLinear nodes on computed values (not initializers) in every graph, with the DequantizeLinear nodes that read them.</summary>
    private static List<Pair> Pairs(ModelProto proto)
    {
        var pairs = new List<Pair>();
        foreach (var graph in Graphs(proto.Graph))
        {
            var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            pairs.AddRange(graph.Node.Where(n => n.OpType == "QuantizeLinear" && !initializers.Contains(n.Input[0]))
                .Select(q => new Pair(graph, q, graph.Node.Where(d => d.OpType == "DequantizeLinear" && d.Input[0] == q.Output[0]).ToList()))
                .Where(p => p.Dequantize.Count > 0));
        }

        return pairs;
    }

    private static IEnumerable<GraphProto> Graphs(GraphProto graph) =>
        graph.Node.SelectMany(n => n.Attribute).SelectMany(a => a.G is { } g ? [g, .. a.Graphs] : a.Graphs.AsEnumerable()).SelectMany(Graphs).Prepend(graph);

    private static bool StartsAtZero(Pair pair)
    {
        var zeroPoint = pair.Graph.Initializer.Single(i => i.Name == pair.Quantize.Input[2]);
        var u8 = zeroPoint.DataType == (int)TensorProto.Types.DataType.Uint8;
        var z = zeroPoint.Int32Data.Count > 0 ? zeroPoint.Int32Data[0] : u8 ? zeroPoint.RawData[0] : (sbyte)zeroPoint.RawData[0];
        return z == (u8 ? 0 : -128);
    }

    private static string Range(Pair pair)
    {
        var scale = pair.Graph.Initializer.Single(i => i.Name == pair.Quantize.Input[1]);
        var zeroPoint = pair.Graph.Initializer.Single(i => i.Name == pair.Quantize.Input[2]);
        var s = scale.FloatData.Count > 0 ? scale.FloatData[0] : BitConverter.ToSingle(scale.RawData.Span);
        var u8 = zeroPoint.DataType == (int)TensorProto.Types.DataType.Uint8;
        var z = zeroPoint.Int32Data.Count > 0 ? zeroPoint.Int32Data[0] : u8 ? zeroPoint.RawData[0] : (sbyte)zeroPoint.RawData[0];
        var (low, high) = u8 ? (0, 255) : (-128, 127);
        return string.Create(CultureInfo.InvariantCulture, $"[{(low - z) * s:0.###}, {(high - z) * s:0.###}]");
    }

    /// <summary>Readers of the pair's DequantizeLinear outputs (in this graph and the graphs nested in it) read the float value; the pair goes.</summary>
    private static void Bypass(Pair pair)
    {
        var source = pair.Quantize.Input[0];
        if (StartsAtZero(pair))
        {
            // A range starting at 0 may stand for a Relu folded into the quantization: the float value passes a Relu (exact either way).
            var relu = new NodeProto { OpType = "Relu", Name = pair.Quantize.Name + "_ablation_relu" };
            relu.Input.Add(source);
            relu.Output.Add(source + "_ablation_relu");
            pair.Graph.Node.Insert(pair.Graph.Node.IndexOf(pair.Quantize), relu);
            source = relu.Output[0];
        }

        foreach (var dq in pair.Dequantize)
        {
            foreach (var node in GraphNodes.All(pair.Graph))
            {
                for (var i = 0; i < node.Input.Count; i++)
                {
                    if (node.Input[i] == dq.Output[0])
                    {
                        node.Input[i] = source;
                    }
                }
            }

            pair.Graph.Node.Remove(dq);
        }

        pair.Graph.Node.Remove(pair.Quantize);
    }
}
