using CompressBuild.Engine.Choices;
using CompressBuild.Engine.Quantization;
using System.CommandLine;
using CompressBuild.Benchmarks.Child;
using CompressBuild.Benchmarks.ModelIo;
using CompressBuild.Benchmarks.Pruning;
using CompressBuild.Benchmarks.Quantization;
using CompressBuild.Benchmarks.Runtime;

namespace CompressBuild.Benchmarks;

/// <summary>
/// Commands: <c>model-io</c>, <c>prune</c>, <c>prune-latency</c>, <c>calibration</c>, <c>quantize</c>, <c>sensitivity</c>, <c>real-models</c>, <c>rec-text</c>,
/// <c>rec-deciding</c>, <c>speedup-stability</c>
/// <c>run-overhead</c>, <c>capture-time</c> and
/// <c>remote-cache</c> (each with --help), and the hidden <c>child</c> command that
/// model-io starts once per measurement.
/// </summary>
internal static class BenchmarkCli
{
    public const string ChildCommandName = "child";

    public static int Run(string[] args)
    {
        var root = new RootCommand("CompressBuild benchmarks.")
        {
            ModelIo(), Prune(), PruneLatency(), Quantize(), Sensitivity(), RealModelsTable(), RecognizerText(), RecognizerDeciding(), CalibrationTable(),
            FidelityTraceCommand(), TailRangeTraceCommand(), Vad(), VadStateCommand(),
            SpeedupStability(), RunOverhead(), RemoteCache(), CaptureTime(), Child(),
        };
        return root.Parse(args).Invoke();
    }

    private static Command ModelIo()
    {
        var size = new Option<int>("--size-mb") { Description = "Weight size of the generated model in MiB.", DefaultValueFactory = _ => ModelIoOptions.DefaultSizeMiB };
        var repeat = new Option<int>("--repeat") { Description = "Runs per scenario (median reported).", DefaultValueFactory = _ => ModelIoOptions.DefaultRepeat };
        var width = new Option<int>("--width") { Description = "Rows and columns of each weight matrix (2048 = 16 MiB per layer).", DefaultValueFactory = _ => SyntheticMlp.DefaultWidth };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        size.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > ModelIoOptions.MaxSizeMiB)
            {
                r.AddError($"--size-mb must be between 1 and {ModelIoOptions.MaxSizeMiB}.");
            }
        });
        repeat.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--repeat must be at least 1.");
            }
        });

        width.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > ModelIoOptions.MaxWidth)
            {
                r.AddError($"--width must be between 1 and {ModelIoOptions.MaxWidth}.");
            }
        });

        var command = new Command("model-io", "Load and save a large generated model; time, throughput and peak memory per scenario.") { size, repeat, width, json };
        command.SetAction(parse => ModelIoBenchmark.Run(
            new ModelIoOptions(parse.GetValue(size), parse.GetValue(repeat), parse.GetValue(width), parse.GetValue(json)), Console.Out, Console.Error));
        return command;
    }

    private static Command Prune()
    {
        var iterations = new Option<int>("--iterations") { Description = "Interleaved runs of each model per case.", DefaultValueFactory = _ => 300 };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads (0 = ONNX Runtime's default).", DefaultValueFactory = _ => 1 };
        var width = new Option<int>("--width") { Description = "Channels of the generated wide CNN's trunk (its last Conv has twice as many).", DefaultValueFactory = _ => 64 };
        var json = new Option<bool>("--json") { Description = "Print the rows as JSON instead of a table." };
        var command = new Command("prune", "Latency of channel-pruned CNNs (25%, 40%, 50%) against the original, runs interleaved.") { iterations, threads, width, json };
        command.SetAction(parse => PruneBenchmark.Run(Math.Max(1, parse.GetValue(iterations)), Math.Max(0, parse.GetValue(threads)), Math.Max(8, parse.GetValue(width)), parse.GetValue(json),
            Console.Out));
        return command;
    }

    private static Command PruneLatency()
    {
        var models = new Option<string[]>("--models") { Description = "Which public models (ppocr-det, ppocr-cls); default both.", Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = true };
        var command = new Command("prune-latency", "Channel allocation latency (ALCS) against uniform and distortion on the PP-OCRv4 detector and classifier: " +
            "cosine, speed-up on 1 thread, the latency table's predicted saving against the measured one, its build time.") { models };
        command.SetAction(parse => LatencyAllocationBenchmark.Run(Split(parse.GetValue(models)) is { Count: > 0 } chosen ? chosen : ["ppocr-det", "ppocr-cls"], Console.Out));
        return command;
    }

    private static Command Quantize()
    {
        var width = new Option<int>("--width") { Description = "Rows and columns of each synthetic MLP layer.", DefaultValueFactory = _ => 1024 };
        var layers = new Option<int>("--layers") { Description = "Layers of the synthetic MLP.", DefaultValueFactory = _ => 6 };
        var repeat = new Option<int>("--repeat") { Description = "Runs per timing (median reported).", DefaultValueFactory = _ => 3 };
        var iterations = new Option<int>("--iterations") { Description = "Timed inference runs per model for the speedup.", DefaultValueFactory = _ => 500 };
        var childSamples = new Option<int?>("--child-samples") { Hidden = true };
        var childModel = new Option<string?>("--child-model") { Hidden = true };
        var childData = new Option<string?>("--child-data") { Hidden = true };
        var command = new Command("quantize", "Quantization time vs load+save, calibration vs inference, peak memory at 100 and 1000 samples, speedup of every mode.")
        {
            width, layers, repeat, iterations, childSamples, childModel, childData,
        };
        command.SetAction(parse => QuantizeBenchmark.Run(
            new QuantizeBenchmarkOptions(parse.GetValue(width), parse.GetValue(layers), Math.Max(1, parse.GetValue(repeat)), Math.Max(5, parse.GetValue(iterations)), parse.GetValue(childSamples),
                parse.GetValue(childModel), parse.GetValue(childData)),
            Console.Out, Console.Error));
        return command;
    }

    private static Command Sensitivity()
    {
        var mode = new Option<string>("--mode") { Description = "Quantization mode (int8-static, int8-dynamic, int8-weight, int4-weight).", DefaultValueFactory = _ => "int8-static" };
        var command = new Command("sensitivity", "Mixed precision on the digits models: Spearman rho of the probe and the Hessian (HAWQ-V3) ranking against the loss " +
            "measured per layer on held-out data, and each ranking's time.") { mode };
        command.SetAction(parse => SensitivityBenchmark.Run(QuantizationModes.All.Find(parse.GetValue(mode))?.Mode ?? QuantizationMode.Int8Static, Console.Out));
        return command;
    }

    private static Command CaptureTime()
    {
        var cases = new Option<string[]>("--cases")
        {
            Description = "Which cases (rec-sparsegpt, rec-sparsegpt-2-4, rec-gptq-capture, det-channel, digits-cnn-channel); default all but rec-sparsegpt-2-4.",
            Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = true,
        };
        var repeat = new Option<int>("--repeat") { Description = "Runs per case, each followed by plain inference.", DefaultValueFactory = _ => 1 };
        var samples = new Option<int>("--samples") { Description = "Calibration samples per case (e.g. 32, 128, 256); 0 keeps each case's own count.", DefaultValueFactory = _ => 0 };
        var stages = new Option<bool>("--stages") { Description = "Also print each capture stage's share (sessions opened and run, working model and teacher, spills)." };
        var command = new Command("capture-time", "Layer-wise reconstruction: capture time against plain inference over the same calibration samples, solves, quality.")
        {
            cases, repeat, samples, stages,
        };
        command.SetAction(parse => Reconstruction.CaptureTimeBenchmark.Run(
            parse.GetValue(cases) is { Length: > 0 } chosen ? chosen : ["digits-cnn-channel", "rec-sparsegpt", "rec-gptq-capture", "det-channel"], Math.Max(1, parse.GetValue(repeat)),
            Math.Max(0, parse.GetValue(samples)), parse.GetValue(stages), Console.Out));
        return command;
    }

    private static Command RealModelsTable()
    {
        var models = new Option<string[]>("--models") { Description = "Which public models (ppocr-det, ppocr-cls, ppocr-rec); default all that were fetched.", Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = true };
        var modes = new Option<string[]>("--modes") { Description = "Which modes (int8-static, int8-dynamic, int8-weight, int4-weight); default all.", Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = true };
        var maxTime = new Option<double>("--max-time") { Description = "Latency time cap per model and mode, in seconds (1 intra-op thread, interleaved A/B).", DefaultValueFactory = _ => 10 };
        var command = new Command("real-models",
            "The benchmark table on public models: size ratio, speed ratio vs fp32 with its 95% interval, cosine, share of quantized Convs ONNX Runtime fuses.") { models, modes, maxTime };
        command.SetAction(parse => RealModels.RealModelBenchmark.Run(
            Split(parse.GetValue(models)), Split(parse.GetValue(modes)), TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(maxTime))), Console.Out));
        return command;
    }

    private static Command RecognizerText()
    {
        var modes = new Option<string[]>("--modes") { Description = "Which modes (int8-static, int8-dynamic, int8-weight, int4-weight); default int8-static and int8-dynamic.",
            Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = true };
        var lines = new Option<int>("--lines") { Description = "Held-out rendered lines scored (seed 11).", DefaultValueFactory = _ => 64 };
        var calibration = new Option<int>("--calibration-lines") { Description = "Rendered lines int8-static calibrates on (seed 7).", DefaultValueFactory = _ => 32 };
        var seed = new Option<int>("--seed") { Description = "Seed of the held-out lines (a second seed checks that a figure is not one draw's luck).", DefaultValueFactory = _ => 11 };
        var calibrationSeed = new Option<int>("--calibration-seed") { Description = "Seed of the calibration lines (other sets check robustness).", DefaultValueFactory = _ => 7 };
        var target = new Option<double?>("--target-cosine") { Description = "int8-static: mixed precision to this calibration cosine (with --mixed-units)." };
        var units = new Option<string>("--mixed-units") { Description = "int8-static mixed precision units: layers or activations.", DefaultValueFactory = _ => "layers" };
        var keepTop = new Option<int?>("--keep-float-top") { Description = "int8-static: mixed precision, the K most sensitive units float." };
        var method = new Option<string>("--calibration-method")
            { Description = "int8-static calibration method (default mse-median, the recognizer's best).", DefaultValueFactory = _ => "mse-median" };
        var rounding = new Option<string>("--rounding")
            { Description = "int8-static weight rounding (auto, nearest, adaround, gptq: the default, the recognizer's best).", DefaultValueFactory = _ => "gptq" };
        var command = new Command("rec-text",
            "The PP-OCRv4 recognizer's character accuracy (CTC greedy decoding, as verify --metric ctc) in fp32 and quantized, on rendered lines with their ground truth.")
            { modes, lines, calibration, seed, calibrationSeed, target, units, keepTop, method, rounding };
        command.SetAction(parse => RealModels.RecognizerTextBenchmark.Run(Split(parse.GetValue(modes)), Math.Max(1, parse.GetValue(lines)), Math.Max(1, parse.GetValue(calibration)), Console.Out,
            new RealModels.RecognizerTextSettings(parse.GetValue(seed), parse.GetValue(target), parse.GetValue(keepTop),
                Engine.Quantization.Mixed.MixedPrecisionUnits.All.ValueOf(parse.GetValue(units), default),
                Engine.Quantization.Calibration.CalibrationMethods.All.ValueOf(parse.GetValue(method), default),
                Engine.Quantization.Weights.WeightRoundings.All.ValueOf(parse.GetValue(rounding), default), parse.GetValue(calibrationSeed))));
        return command;
    }

    private static Command RecognizerDeciding()
    {
        var calibration = new Option<int>("--calibration-seed") { Description = "Seed of the 32 rendered calibration lines.", DefaultValueFactory = _ => 7 };
        var other = new Option<int?>("--other-seed") { Description = "A second calibration seed: also swap each differing range to that set's, one at a time." };
        var heldOut = new Option<int>("--seed") { Description = "Seed of the held-out lines.", DefaultValueFactory = _ => 11 };
        var lines = new Option<int>("--lines") { Description = "Held-out lines.", DefaultValueFactory = _ => 32 };
        var top = new Option<int>("--top") { Description = "Rows printed per table.", DefaultValueFactory = _ => 20 };
        var command = new Command("rec-deciding",
            "Which activations decide the PP-OCRv4 recognizer's int8-static character accuracy: each pair alone float / alone int8 on held-out lines, " +
                "the label-free signals that could predict it, and (with --other-seed) each range alone from another calibration set.")
            { calibration, other, heldOut, lines, top };
        command.SetAction(parse => RealModels.RecognizerDecidingValues.Run(parse.GetValue(calibration), parse.GetValue(other), parse.GetValue(heldOut),
            Math.Max(1, parse.GetValue(lines)), parse.GetValue(top), Console.Out));
        return command;
    }

    private static Command FidelityTraceCommand()
    {
        var model = new Option<string>("--model") { Description = "Which public model (ppocr-det, ppocr-rec, ppocr-cls).", DefaultValueFactory = _ => "ppocr-det" };
        var method = new Option<string>("--calibration-method") { Description = "Calibration method of the int8-static model.", DefaultValueFactory = _ => "percentile" };
        var top = new Option<int>("--top") { Description = "Rows printed: the tensors whose quantization costs most cosine.", DefaultValueFactory = _ => 25 };
        var units = new Option<bool>("--units") { Description = "Also leave each Conv/MatMul/Gemm unit float in turn (one quantization per node: slow)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the 8 rendered inputs the cosines are measured on.", DefaultValueFactory = _ => 11 };
        var command = new Command("fidelity-trace",
            "Where int8-static loses output cosine on a public model: the cosine each activation's Q/DQ costs, its local SQNR and clipped share.") { model, method, top, units, seed };
        command.SetAction(parse => Quantization.FidelityTrace.Run(parse.GetValue(model)!,
            Engine.Quantization.Calibration.CalibrationMethods.All.Find(parse.GetValue(method))?.Value ?? throw new ArgumentException("unknown calibration method"),
            parse.GetValue(top), parse.GetValue(units), Console.Out, parse.GetValue(seed)));
        return command;
    }

    private static Command TailRangeTraceCommand()
    {
        var rounding = new Option<string>("--rounding") { Description = "Weight rounding of both quantizations (nearest, gptq).", DefaultValueFactory = _ => "gptq" };
        var ratio = new Option<double>("--min-ratio") { Description = "Activations listed: percentile range at least this many times the mse range.", DefaultValueFactory = _ => 2 };
        var size = new Option<int>("--size") { Description = "Page height and width (multiples of 32).", DefaultValueFactory = _ => 320 };
        var method = new Option<string>("--other") { Description = "The other range method (mse, minmax, percentile).", DefaultValueFactory = _ => "mse" };
        var percentile = new Option<double>("--other-percentile") { Description = "The other method's percentile.", DefaultValueFactory = _ => 99.999 };
        var command = new Command("tail-range-trace",
            "PP-OCRv4 detector: the long-tailed activations, their percentile and other ranges, and the held-out cosine each gains on the other range.")
            { rounding, ratio, size, method, percentile };
        command.SetAction(parse => Quantization.TailRangeTrace.Run(
            Engine.Quantization.Weights.WeightRoundings.All.Find(parse.GetValue(rounding))?.Value ?? throw new ArgumentException("unknown rounding"),
            parse.GetValue(ratio), parse.GetValue(size),
            Engine.Quantization.Calibration.CalibrationMethods.All.Find(parse.GetValue(method))?.Value ?? throw new ArgumentException("unknown method"), parse.GetValue(percentile), Console.Out));
        return command;
    }

    private static Command Vad()
    {
        var seconds = new Option<double>("--seconds") { Description = "Length of the espeak-ng speech stream, in seconds.", DefaultValueFactory = _ => 60 };
        var rounds = new Option<int>("--rounds") { Description = "Alternating float/quantized passes over the stream for the time ratio.", DefaultValueFactory = _ => 5 };
        var models = new Option<string[]>("--models") { Description = "Which models (silero-vad, silero-vad-op15, silero-vad-loop, silero-vad-scan); default all.", Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = true };
        var modes = new Option<string[]>("--modes") { Description = "Which rows (int8-static, int8-dynamic, int8-weight, int4-weight, fp16, magnitude); default all.",
            Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = true };
        var command = new Command("vad",
            "Silero VAD (layers inside If branches; and inside a Loop or Scan over time) in every mode and magnitude-pruned: size ratio, " +
            "agreement of speech decisions on espeak-ng speech, stream time.")
            { seconds, rounds, models, modes };
        command.SetAction(parse => RealModels.VadBenchmark.Run(Math.Max(5, parse.GetValue(seconds)), Math.Max(1, parse.GetValue(rounds)),
            Split(parse.GetValue(models)), Split(parse.GetValue(modes)), Console.Out));
        return command;
    }

    private static Command VadStateCommand()
    {
        var models = new Option<string[]>("--models") { Description = "Which models (silero-vad-loop, silero-vad-scan); default both.", Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = true };
        var methods = new Option<string[]>("--methods") { Description = "int8-static calibration methods, one row each; default all.", Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = true };
        var ablate = new Option<bool>("--ablate") { Description = "Remove each activation Q/DQ pair in turn, and leave each weighted node float in turn: the state cosine each gains." };
        var top = new Option<int>("--top") { Description = "Activation rows printed with --ablate (the largest gains).", DefaultValueFactory = _ => 30 };
        var groups = new Option<string[]>("--group") { Description = "With --ablate: label=part+part, the activation pairs whose tensor names hold a part removed together.",
            Arity = ArgumentArity.ZeroOrMore };
        var floats = new Option<string[]>("--float-activations") { Description = "int8-static: activations left float (tensor names, as float_activations).",
            Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = true };
        var minMax = new Option<string[]>("--minmax-activations") { Description = "int8-static: activations calibrated by minmax whatever the method.",
            Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = true };
        var mse = new Option<string[]>("--mse-activations") { Description = "int8-static: activations calibrated by mse whatever the method.",
            Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = true };
        var testSeed = new Option<int>("--test-seed") { Description = "Seed of the test speech (the 10 segments).", DefaultValueFactory = _ => 13 };
        var command = new Command("vad-state",
            "The Loop/Scan VAD models' returned LSTM state after 64 chunks under int8-dynamic and int8-static: cosine and SQNR per output against float, " +
            "the default fidelity floors, and (--ablate) which quantized values the state's error comes from.")
            { models, methods, ablate, top, groups, floats, minMax, mse, testSeed };
        command.SetAction(parse => RealModels.VadState.Run(Split(parse.GetValue(models)), Split(parse.GetValue(methods)), parse.GetValue(ablate), parse.GetValue(top),
            parse.GetValue(groups) ?? [], Split(parse.GetValue(floats)), Split(parse.GetValue(minMax)), Split(parse.GetValue(mse)),
            parse.GetValue(testSeed), Console.Out));
        return command;
    }

    private static Command CalibrationTable()
    {
        var models = new Option<string[]>("--models") { Description = "Which public models (ppocr-det, ppocr-cls, ppocr-rec); default all that were fetched.", Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = true };
        var samples = new Option<int[]>("--samples") { Description = "Sample counts, one row each.", DefaultValueFactory = _ => [16, 64, 256], AllowMultipleArgumentsPerToken = true };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads for both sides (0 = ONNX Runtime's default).", DefaultValueFactory = _ => 1 };
        var repeat = new Option<int>("--repeat") { Description = "Interleaved inference/calibration pairs per row (the median ratio is shown).", DefaultValueFactory = _ => 3 };
        var child = new Option<string?>("--child") { Hidden = true };
        var childModel = new Option<string?>("--child-model") { Hidden = true };
        var childData = new Option<string?>("--child-data") { Hidden = true };
        var childLimit = new Option<int?>("--child-limit") { Hidden = true };
        var profile = new Option<bool>("--profile") { Description = "Instead of the table: ONNX Runtime profiles of plain inference and calibration per op type (first sample count)." };
        var command = new Command("calibration",
            "int8-static calibration time and peak memory against plain inference over the same rendered samples, on the public models, each in a fresh process.")
        {
            models, samples, threads, repeat, child, childModel, childData, childLimit, profile,
        };
        command.SetAction(parse => parse.GetValue(profile)
            ? Calibration.CalibrationProfile.Run(Split(parse.GetValue(models)), (parse.GetValue(samples) ?? [64])[0], Math.Max(0, parse.GetValue(threads)), Console.Out)
            : parse.GetValue(child) is { } what
            ? Calibration.CalibrationBenchmark.Child(what, parse.GetValue(childModel)!, parse.GetValue(childData)!, Math.Max(0, parse.GetValue(threads)), parse.GetValue(childLimit),
                Console.Out)
            : Calibration.CalibrationBenchmark.Run(Split(parse.GetValue(models)), parse.GetValue(samples) ?? [16, 64, 256], Math.Max(0, parse.GetValue(threads)),
                Math.Max(1, parse.GetValue(repeat)), Console.Out, Console.Error));
        return command;
    }

    private static List<string> Split(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

    private static Command SpeedupStability()
    {
        var runs = new Option<int>("--runs") { Description = "Verifications per model.", DefaultValueFactory = _ => 10 };
        var maxTime = new Option<double>("--max-time") { Description = "verify's latency time cap in seconds.", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads.", DefaultValueFactory = _ => 1 };
        var command = new Command("speedup-stability", "Verify each fixture model against itself N times; spread of the speedup and its interval.") { runs, maxTime, threads };
        command.SetAction(parse => Verification.SpeedupStabilityBenchmark.Run(
            Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "digits")), parse.GetValue(runs), parse.GetValue(maxTime), parse.GetValue(threads),
                Console.Out));
        return command;
    }

    private static Command RunOverhead()
    {
        var iterations = new Option<int>("--iterations") { Description = "Runs per timed block.", DefaultValueFactory = _ => 20000 };
        var blocks = new Option<int>("--blocks") { Description = "Timed blocks per form (median reported).", DefaultValueFactory = _ => 15 };
        var command = new Command("run-overhead", "Per-call cost of one ONNX Runtime run on the digits MLP (batch 1, 1 thread): bound and allocating.") { iterations, blocks };
        command.SetAction(parse => RunOverheadBenchmark.Run(
            Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "digits")), Math.Max(1, parse.GetValue(iterations)), Math.Max(1, parse.GetValue(blocks)),
                Console.Out));
        return command;
    }

    private static Command RemoteCache()
    {
        var width = new Option<int>("--width") { Description = "Rows and columns of each generated MLP layer (2048 = 16 MiB).", DefaultValueFactory = _ => SyntheticMlp.DefaultWidth };
        var layers = new Option<int>("--layers") { Description = "Layers of the generated MLP (6 x 2048 = 100.7 MB).", DefaultValueFactory = _ => 6 };
        var command = new Command("remote-cache", "Agent 1 compresses a ~100 MB model and uploads the result; agent 2, with an empty local cache, restores it (Azurite and s3rver).") { width, layers };
        command.SetAction(parse => Caching.RemoteCacheBenchmark.Run(Math.Max(8, parse.GetValue(width)), Math.Max(1, parse.GetValue(layers)), Console.Out));
        return command;
    }

    private static Command Child()
    {
        var scenario = new Argument<string>("scenario");
        var input = new Argument<string>("input");
        var output = new Argument<string>("output-folder");
        var command = new Command(ChildCommandName, "Run one scenario once and print its measurement (started by model-io).") { scenario, input, output };
        command.Hidden = true;
        command.SetAction(parse => ChildCommand.Run(parse.GetRequiredValue(scenario), parse.GetRequiredValue(input), parse.GetRequiredValue(output), Console.Out));
        return command;
    }
}
