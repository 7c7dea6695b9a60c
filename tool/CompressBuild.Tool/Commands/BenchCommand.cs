using System.CommandLine;
using System.Globalization;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;
using CompressBuild.Tool.Rendering;

namespace CompressBuild.Tool.Commands;

/// <summary><c>dotnet compress bench</c>: latency and throughput of a model on the real ONNX Runtime.</summary>
internal static class BenchCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "The .onnx model file." };
        var data = new Option<string?>("--data") { Description = "Inputs: .npy (single input), .npz, a folder of <input>.npy, or test_data_set_N folders. Random inputs when omitted." };
        var dims = new Option<string[]>("--dim") { Description = "Value of a symbolic dimension, NAME=VALUE (repeatable). Unset ones are 1.", Arity = ArgumentArity.ZeroOrMore };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads (0 = ONNX Runtime's default).", DefaultValueFactory = _ => 0 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs first.", DefaultValueFactory = _ => 10 };
        var iterations = new Option<int>("--iterations") { Description = "Timed runs.", DefaultValueFactory = _ => 100 };
        var samples = new Option<int>("--samples") { Description = "With --data: how many samples to cycle through.", DefaultValueFactory = _ => 16 };
        var json = new Option<bool>("--json") { Description = "Write the result as JSON to stdout." };
        var command = new Command("bench", "Measure a model's latency (median, p90, p99) and throughput on ONNX Runtime.")
        {
            model, data, dims, threads, warmup, iterations, samples, json,
        };
        command.SetAction(parse => Run(context, new BenchOptions(
            parse.GetRequiredValue(model),
            parse.GetValue(data),
            ParseDims(parse.GetValue(dims) ?? []),
            NonNegative(parse.GetValue(threads), "--threads"),
            NonNegative(parse.GetValue(warmup), "--warmup"),
            Positive(parse.GetValue(iterations), "--iterations"),
            Positive(parse.GetValue(samples), "--samples"),
            parse.GetValue(json))));
        return command;
    }

    public static int Run(CliContext context, BenchOptions options)
    {
        // Our reader first: a corrupt or hostile file gets a CB2xxx error before the runtime ever sees it.
        _ = OnnxModelReader.Load(options.Model);
        var settings = new SessionSettings { IntraOpThreads = options.Threads, FreeDimensions = options.Dims };
        using var session = ModelSessions.Open(options.Model, settings);
        List<IReadOnlyList<HostTensor>> samples;
        string source;
        if (options.Data is { } dataPath)
        {
            var dataset = DatasetLoader.OpenNonEmpty(dataPath, session.Inputs);
            samples = Enumerable.Range(0, Math.Min(options.Samples, dataset.Count)).Select(dataset.Sample).ToList();
            source = $"{dataPath} ({samples.Count} of {dataset.Count} samples)";
        }
        else
        {
            foreach (var unset in RandomInputs.UnsetSymbolicDims(session.Inputs, options.Dims))
            {
                context.Error.WriteLine($"note: dimension '{unset}' is symbolic and was set to 1; pass --dim {unset}=N to choose.");
            }

            samples = [RandomInputs.Create(session.Inputs, options.Dims)];
            source = "random (seeded)";
        }

        var stats = LatencyBenchmark.Measure(session, samples, options.Warmup, options.Iterations);
        var batch = samples[0].Count > 0 && samples[0][0].Shape.Length > 0 ? samples[0][0].Shape[0] : 1;
        var result = new BenchResult(
            options.Model,
            $"ONNX Runtime {InferenceSession.RuntimeDescription}",
            source,
            samples[0].Select(t => new BenchInput(t.Name, ElementType.Name(t.ElementType), t.Shape)).ToList(),
            options.Threads,
            options.Warmup,
            options.Iterations,
            stats,
            stats.Throughput(batch));
        if (options.Json)
        {
            JsonOutput.Write(context.Out, result);
            return ExitCodes.Ok;
        }

        var o = context.Out;
        o.WriteLine($"Model       {result.Model}");
        o.WriteLine($"Runtime     {result.Runtime}, {(options.Threads == 0 ? "default" : options.Threads.ToString(CultureInfo.InvariantCulture))} intra-op threads");
        o.WriteLine($"Inputs      {source}: {string.Join(", ", result.InputShapes.Select(i => $"{i.Name} {i.Type} {TensorShape.Format(i.Shape)}"))}");
        o.WriteLine($"Runs        {options.Warmup} warm-up, {stats.Samples} timed");
        new TextTable("median", "p90", "p99", "mean", "min", "max", "stddev")
            .Add(Units.Ms(stats.MedianMs), Units.Ms(stats.P90Ms), Units.Ms(stats.P99Ms), Units.Ms(stats.MeanMs), Units.Ms(stats.MinMs), Units.Ms(stats.MaxMs), Units.Ms(stats.StdDevMs))
            .WriteTo(o);
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Throughput  {result.ThroughputPerSecond:0.0} inferences/s (batch {batch}, at the median)"));
        return ExitCodes.Ok;
    }

    internal static Dictionary<string, long> ParseDims(IEnumerable<string> values)
    {
        var dims = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var eq = value.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !long.TryParse(value[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size is <= 0 or > int.MaxValue)
            {
                throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, $"--dim '{value}' must look like NAME=VALUE with a positive whole VALUE up to {int.MaxValue}, e.g. --dim batch=8.");
            }

            dims[value[..eq]] = size;
        }

        return dims;
    }

    private static int NonNegative(int value, string option) =>
        value >= 0 ? value : throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, $"{option} must be 0 or more, got {value}.");

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, $"{option} must be 1 or more, got {value}.");
}
