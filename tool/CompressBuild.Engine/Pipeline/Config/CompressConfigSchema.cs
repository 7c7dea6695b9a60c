using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Pruning;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Mixed;
using CompressBuild.Engine.Quantization.Weights;

namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>
/// Every key compress.yaml accepts. Keys mirror the command-line options of <c>prune</c>, <c>quantize</c> and
/// <c>verify</c> in snake_case. This one table drives validation, error messages and the shipped JSON Schema.
/// </summary>
public static class CompressConfigSchema
{
    public static ConfigSection Calibration { get; } = new("calibration", "Calibration data for int8-static (and activation-aware pruning).",
    [
        new("data", ConfigValueKind.Path, "Samples: .npy stacked on the first axis, .npz, or test_data_set_N folders.") { Required = true, MustExist = true },
        new("method", ConfigValueKind.Choice, "How activation ranges are chosen.") { Choices = CalibrationMethods.All.Names },
        new("percentile", ConfigValueKind.Number, "Percentile of |activation| kept by the percentile method (default 99.999).") { Minimum = 50, Maximum = 100, ExclusiveMinimum = true },
        new("samples", ConfigValueKind.WholeNumber, "Use at most this many samples.") { Minimum = 1 },
    ], Shorthand: "data");

    public static ConfigSection Prune { get; } = new("prune", "Pruning pass (dotnet compress prune).",
    [
        new("method", ConfigValueKind.Choice, "magnitude, nm (N:M), block, or channel (structured).") { Required = true, Choices = PruneMethods.All.Names },
        new("sparsity", ConfigValueKind.Number, "Fraction of weights (or of each channel group) removed; default 0.5.") { Minimum = 0, Maximum = 1, ExclusiveMaximum = true },
        new("scope", ConfigValueKind.Choice, "magnitude: one threshold across layers, or the same sparsity per layer.") { Choices = PruneMethods.Scopes.Names },
        new("allocation", ConfigValueKind.Choice, "magnitude: lamp scores weights within their layer so no layer is emptied; with scope layer and " +
            "calibration, owl and distortion move each layer's sparsity within 0.2, same total; channel: distortion sets each group's ratio from its measured " +
            "output distortion (the default with calibration); latency spends the time the uniform ratio saves, by a measured per-group latency table.")
        {
            Choices = PruneMethods.Allocations.Names,
        },
        new("pattern", ConfigValueKind.Text, "nm: N of every M weights kept, as N:M (2:4 by default; 1:4, 4:8...)."),
        new("block", ConfigValueKind.Text, "block: block shape RxC, e.g. 4x4 (default), 8x1, 1x8."),
        new("importance", ConfigValueKind.Choice, "channel: how channels are scored.") { Choices = PruneMethods.Importances.Names },
        new("round_to", ConfigValueKind.WholeNumber, "channel: keep channel counts multiples of this, or auto (the default): this CPU's NCHWc block (16 with " +
            "AVX-512, 8 with AVX2) unless that removes under 75% of the multiply-adds round_to 1 removes or, with calibration, distorts the output over 1.5x " +
            "as much; the same model, config and CPU class give the same bytes, and both pruned models are timed only to confirm it (1 keeps every count as " +
            "the allocation gives it).")
        {
            Minimum = 1, Keywords = [PruneBinding.AutoRoundTo],
        },
        new("target_speedup", ConfigValueKind.Number, "channel, allocation latency: remove until the latency table predicts this speed-up of the whole " +
            "model on 1 thread (default: the time the uniform ratio saves); the widths tried stay 0.5-2x the sparsity.") { Minimum = 1, ExclusiveMinimum = true },
        new("latency_table", ConfigValueKind.Path, "channel, allocation latency: the per-group latency table's file: read when it exists (it must match " +
            "the model, input size, CPU class and ONNX Runtime version), measured and written when not; without it the table is cached in the " +
            "CompressBuild cache."),
        new("calibration", ConfigValueKind.Section, "Data to measure activations on: channel importance and mean folding, and the layer-wise " +
            "reconstruction (channel, magnitude, nm).") { Section = Calibration },
        new("reconstruct", ConfigValueKind.Boolean, "Re-solve the remaining weights on the calibration data (least squares after channel removal, " +
            "SparseGPT for magnitude / nm); on by default when calibration is given."),
        new("exclude_nodes", ConfigValueKind.StringList, "Node names (or first-output names) left alone."),
        new("exclude_op_types", ConfigValueKind.StringList, "Op types left alone."),
    ]);

    public static ConfigSection Quantize { get; } = new("quantize", "Quantization pass (dotnet compress quantize).",
    [
        new("mode", ConfigValueKind.Choice, "What to quantize to.") { Required = true, Choices = QuantizationModes.All.Names },
        new("calibration", ConfigValueKind.Section, "int8-static, bias correction and mixed precision: calibration data and method.") { Section = Calibration },
        new("per_tensor", ConfigValueKind.Boolean, "int8-static: one weight scale per tensor instead of per output channel."),
        new("activation_type", ConfigValueKind.Choice, "int8-static: activation integer type (u8 is ONNX Runtime's fast CPU path).") { Choices = QuantTypes.All.Names },
        new("weight_type", ConfigValueKind.Choice, "int8-static: weight integer type (default s8).") { Choices = QuantTypes.All.Names },
        new("activation_symmetric", ConfigValueKind.Boolean, "int8-static: symmetric activation ranges (zero point 0)."),
        new("weight_asymmetric", ConfigValueKind.Boolean, "int8-static: asymmetric weight ranges."),
        new("block_size", ConfigValueKind.WholeNumber, "int4-weight / int8-weight: weights per scale along K, a power of two (16, 32 (default), 64, 128...).") { Minimum = 16 },
        new("gptq", ConfigValueKind.Boolean, "int4-weight / int8-weight: GPTQ on the calibration data instead of round-to-nearest; on by default when calibration is given."),
        new("split", ConfigValueKind.Boolean, "int4-weight / int8-weight: SplitQuant, each MatMul / Conv split into 3 layers (lower outliers, middle, " +
            "upper outliers: 1-D k-means), each with its own scales; the split layers' weights take 3x the bytes. Default false."),
        new("asymmetric", ConfigValueKind.Boolean, "int4-weight / int8-weight: a zero point per block."),
        new("accuracy_level", ConfigValueKind.WholeNumber, "int4-weight / int8-weight: MatMulNBits accuracy_level (4 = int8 compute, the fast CPU path; default).") { Minimum = 0, Maximum = 4 },
        new("exclude_nodes", ConfigValueKind.StringList, "Node names (or first-output names) kept in float."),
        new("exclude_op_types", ConfigValueKind.StringList, "Op types kept in float."),
        new("keep_float", ConfigValueKind.StringList, "Keep the first and/or last quantizable layer in float.") { Choices = ["first", "last"] },
        new("fp16_block_list", ConfigValueKind.StringList, "fp16: op types that stay float32."),
        new("fp16_io", ConfigValueKind.Boolean, "fp16: convert the model's inputs and outputs too."),
        new("bias_correction", ConfigValueKind.Boolean, "int8-static: correct the per-channel mean shift quantization introduces."),
        new("latency_aware", ConfigValueKind.Boolean, "int8-static: profile on this machine and keep float the nodes that run slower quantized " +
            "(default false: its choices follow timings, so the bytes differ between runs and machines; search: auto turns it on when min_speedup is missed)."),
        new("latency_placement", ConfigValueKind.Boolean, "int8-static: keep float, from the graph alone (the same bytes on every machine), the " +
            "nodes ONNX Runtime's x86 int8 kernels run slower than float: depthwise Convs on a channel count not a multiple of 16 and other grouped " +
            "Convs, Convs on at most 4 input channels, MaxPool, and pooling nodes or Muls that read only float tensors (default true; false " +
            "quantizes every supported node: smaller, slower)."),
        new("reduce_range", ConfigValueKind.Boolean, "int8-static: keep ONNX Runtime's u8 x s8 kernels from saturating on x86 CPUs without " +
            "VNNI (AVX2): depthwise Conv weights keep 8 bits (their kernels widen), every other Conv, MatMul and Gemm weight takes per output " +
            "channel the least-error grid on which no two products its kernel adds can pass int16 (CB4018 says which). " +
            "Default: decided from the CPU that quantizes (on without VNNI); true builds for AVX2 clients on a VNNI machine; false keeps " +
            "8-bit weights everywhere (can saturate on AVX2)."),
        new("scale_constraint", ConfigValueKind.Choice, "int8-static: none (default), or pot: every scale a power of two (bit shifts, as fixed-point " +
            "accelerators such as FPGA DPUs require), each rounded to the neighbour with the smaller error.") { Choices = ScaleConstraints.All.Names },
        new("rounding", ConfigValueKind.Choice, "int8-static: auto (default): nearest or gptq, and smooth 0.7 or none when smooth is unset, whichever " +
            "keeps the output closest to the float model's on half the calibration samples when quantized on the other half (nearest with " +
            "fewer than 4 samples); nearest: each weight to its nearest grid point; adaround: learn per weight whether to round up or down so each layer's output on the calibration data stays " +
            "closest to the float model's (AdaRound; same grid, costs seconds per layer); gptq: round column by column and compensate each error in " +
            "the columns not yet rounded, on inputs from the quantized model (GPTQ; same grid).") { Choices = WeightRoundings.All.Names },
        new("smooth", ConfigValueKind.Number, "int8-static: SmoothQuant's alpha (e.g. 0.5): divide each channel of a Conv/MatMul/Gemm input by " +
            "max|x|^alpha / max|w|^(1-alpha) and multiply the weights reading it, only where the producer's constants take the division exactly " +
            "(LayerNorm, a linear layer, Relu/MaxPool between); the float model is unchanged. Default off.") { Minimum = 0, Maximum = 1 },
        new("preprocess", ConfigValueKind.Boolean, "Pre-process before quantizing (constant and BatchNormalization folding, Identity/Dropout " +
            "removal, shape inference; default true). The opset is raised when the mode needs it either way."),
        new("target_cosine", ConfigValueKind.Number, "Mixed precision: keep the most sensitive layers in float until the output cosine reaches " +
            "this.") { Minimum = 0, Maximum = 1, ExclusiveMinimum = true },
        new("keep_float_top", ConfigValueKind.WholeNumber, "Mixed precision: keep the K most sensitive layers in float.") { Minimum = 0 },
        new("sensitivity", ConfigValueKind.Choice, "Mixed precision: how layers are ranked; probe (quantize each alone and measure) or hessian " +
            "(HAWQ-V3 trace from the calibration Gram matrices, no trial runs) or hessian-noise (output noise over signal from the same matrices).") { Choices = SensitivityMethods.All.Names },
        new("mixed_units", ConfigValueKind.Choice, "Mixed precision: what target_cosine / keep_float_top leave float: layers (whole layers, default) or " +
            "activations (int8-static: the activation Q/DQ pairs that cost the most output cosine alone, every weight staying int8, as long as the model " +
            "stays at least as fast as fp32 on this machine; then whole layers if the target is still missed).") { Choices = MixedPrecisionUnits.All.Names },
    ]);

    public static ConfigSection Evaluation { get; } = new("evaluation", "The data the compressed model is verified on.",
    [
        new("data", ConfigValueKind.Path, "Samples: .npy stacked on the first axis, .npz, or test_data_set_N folders.") { Required = true, MustExist = true },
        new("labels", ConfigValueKind.Path, "Class labels: integer .npy or a text file, one per line; with metric ctc, the ground-truth text, one line " +
            "per sample.") { MustExist = true },
        new("metric", ConfigValueKind.Choice, "What accuracy means: top1 (class scores against class labels, default) or ctc (a CTC text " +
            "recognizer's greedy-decoded text, scored by character accuracy against the text labels, else against the original's text).") { Choices = AccuracyMetrics.All.Names },
        new("keys", ConfigValueKind.Path, "metric ctc: the recognizer's character list, one per line (PaddleOCR's keys file; class 0 is the " +
            "blank, then the keys, then the space when the output has room for it).") { MustExist = true },
        new("limit", ConfigValueKind.WholeNumber, "Use at most this many samples.") { Minimum = 1 },
        new("batch", ConfigValueKind.WholeNumber, "Samples per run.") { Minimum = 1 },
        new("top_k", ConfigValueKind.WholeNumber, "k for top-k accuracy.") { Minimum = 1 },
    ], Shorthand: "data");

    /// <summary>Built from <see cref="BudgetRegistry"/>: each budget is described there once.</summary>
    public static ConfigSection Budgets { get; } = new("budgets", "What the compressed model must meet; a miss fails the run (exit 2).",
        BudgetRegistry.All.Select(b => new ConfigKey(b.Key, b.Unit switch { BudgetUnit.Text => ConfigValueKind.Text, BudgetUnit.Switch => ConfigValueKind.Boolean, _ => ConfigValueKind.Number },
            b.Default is null ? b.Description : $"{b.Description} Default {b.Default}.")
        {
            Minimum = b.Minimum, Maximum = b.Maximum, ExclusiveMinimum = b.ExclusiveMinimum, ExclusiveMaximum = b.ExclusiveMaximum, Budget = b.IsNumber ? b : null,
        }).ToList());

    public static ConfigSection Search { get; } = new("search", "Search for the most compressed candidate that meets every budget.",
    [
        new("mode", ConfigValueKind.Choice, "off: run the passes as written; auto: search.") { Choices = ["off", "auto"] },
        new("max_trials", ConfigValueKind.WholeNumber, "Most candidates to try.") { Minimum = 1 },
        new("timeout", ConfigValueKind.Duration, "Longest time to search, e.g. 10m."),
    ], Shorthand: "mode");

    public static ConfigSection Model { get; } = new("model", "One model to compress.",
    [
        new("path", ConfigValueKind.Path, "The .onnx model, relative to this file.") { Required = true, MustExist = true },
        new("name", ConfigValueKind.Text, "Name for --model and reports (default: the file name)."),
        new("output", ConfigValueKind.Path, "Where the compressed model goes (default: <name>.compressed.onnx beside the model)."),
        new("passes", ConfigValueKind.PassList, "Passes applied in order.") { Required = true, Passes = [.. PassRegistry.All.Select(p => p.Schema)] },
        new("evaluation", ConfigValueKind.Section, "Data to verify on.") { Section = Evaluation },
        new("budgets", ConfigValueKind.Section, "What the result must meet.") { Section = Budgets },
        new("search", ConfigValueKind.Section, "off or auto.") { Section = Search },
    ]);

    public static ConfigSection Runtime { get; } = new("runtime", "Where ONNX Runtime runs verification, calibration and latency (the command line's --execution-provider and --threads win).",
    [
        new("execution_provider", ConfigValueKind.Choice, "ONNX Runtime execution provider; the loaded library must have it (default cpu).") { Choices = [.. Engine.Runtime.ExecutionProviders.Names] },
        new("threads", ConfigValueKind.WholeNumber, "Intra-op threads for verification (default 1; 0 = ONNX Runtime's default).") { Minimum = 0 },
    ]);

    public static ConfigSection Root { get; } = new("compress.yaml", "CompressBuild pipeline configuration.",
    [
        new("version", ConfigValueKind.WholeNumber, "Format version; 1.") { Required = true, Minimum = 1, Maximum = 1 },
        new("baseline", ConfigValueKind.Path, "Accepted metrics to compare against (compress.baseline.json, committed)."),
        new("runtime", ConfigValueKind.Section, "ONNX Runtime settings: execution_provider, threads.") { Section = Runtime },
        new("models", ConfigValueKind.SectionList, "The models to compress.") { Required = true, Section = Model },
    ]);
}
