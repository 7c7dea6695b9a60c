using System.Globalization;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization;
using CompressBuild.Engine.Verification;
using CompressBuild.Testing;

namespace CompressBuild.Benchmarks.RealModels;

/// <summary>
/// The PP-OCRv4 recognizer's character accuracy after quantization, measured the way <c>verify --metric ctc</c> does (the same
/// Verifier): rendered lines (tests/models/ocr_inputs.py rec) for calibration (seed 7 unless --calibration-seed) and held-out lines with their ground truth (seed 11),
/// greedy-decoded over ppocr-keys.txt. One row per mode: size ratio, character accuracy of fp32 and of the quantized model, the drop in
/// points, both CERs, the character agreement with fp32's text and the output cosine.
/// </summary>
internal static class RecognizerTextBenchmark
{
    public static int Run(IReadOnlyList<string> onlyModes, int lines, int calibrationLines, TextWriter output, RecognizerTextSettings? settings = null)
    {
        settings ??= new RecognizerTextSettings();
        var name = Testing.RealModels.PaddleOcrRecognizer;
        if (Testing.RealModels.Find(name) is not { } path || Testing.RealModels.Find(Testing.RealModels.PaddleOcrKeys) is not { } keys)
        {
            output.WriteLine($"{name}: skipped, {Testing.RealModels.MissingReason(name)} {Testing.RealModels.MissingReason(Testing.RealModels.PaddleOcrKeys)}");
            return 0;
        }

        using var folder = new Engine.IO.ScratchFolder("rec-text");
        var calibration = OcrInputs.Render(folder.Path, "rec", calibrationLines, seed: settings.CalibrationSeed);
        var test = OcrInputs.Render(folder.Path, "rec", lines, seed: settings.Seed);
        var model = OnnxModelReader.Load(path);
        QuantizationMode[] all = [QuantizationMode.Int8Static, QuantizationMode.Int8Dynamic, QuantizationMode.Int8Weight, QuantizationMode.Int4Weight];
        var modes = all.Where(m => onlyModes.Count == 0 ? m is QuantizationMode.Int8Static or QuantizationMode.Int8Dynamic : onlyModes.Contains(ModelQuantizer.ModeName(m)));
        var rows = new List<string>();
        foreach (var mode in modes)
        {
            var quantization = mode == QuantizationMode.Int8Static
                ? new QuantizationRequest(new QuantizationOptions { Mode = mode, MixedUnits = settings.Units, Calibration = settings.Calibration, Rounding = settings.Rounding },
                    calibration, TargetCosine: settings.TargetCosine, KeepFloatTop: settings.KeepFloatTop)
                : new QuantizationRequest(new QuantizationOptions { Mode = mode });
            var pass = QuantizationPass.Run(model, quantization);
            if (pass.Mixed is { } mixed)
            {
                var speed = mixed.ActivationSpeedup is { } s ? string.Create(CultureInfo.InvariantCulture, $", speed floor measured {s.Ratio:0.00}x [{s.Low:0.00}, {s.High:0.00}]") : "";
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mixed precision ({settings.Describe()}): calibration cosine {mixed.Cosine:0.0000}, " +
                    $"{mixed.Activations.Count(a => a.KeptFloat)} of {mixed.Activations.Count} activation pairs float, {mixed.Layers.Count(l => l.KeptFloat)} layers float{speed}"));
                foreach (var pair in mixed.Activations.Where(a => a.KeptFloat))
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  float: {pair.Tensor} ({pair.Producer} -> {pair.Readers}), +{pair.Gain:0.0000} alone"));
                }
            }

            var saved = Path.Combine(folder.Path, $"{name}-{ModelQuantizer.ModeName(mode)}.onnx");
            OnnxModelWriter.Save(pass.Result.Model, saved, ModelSaveOptions.Default);
            var result = Verifier.Run(new VerificationRequest(saved, path, test)
            {
                Labels = Path.ChangeExtension(test, ".txt"),
                Metric = AccuracyMetric.Ctc,
                Keys = keys,
                MeasureLatency = false,
            });
            var text = result.Metrics.Text!;
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {ModelQuantizer.ModeName(mode)} | {result.SizeRatio:0.00}x | {Percent(text.ReferenceAccuracy)} | {Percent(text.CandidateAccuracy)} | {text.Drop * 100:0.00} " +
                    $"| {Percent(text.ReferenceCer)} -> {Percent(text.CandidateCer)} | {Percent(text.Agreement)} | {result.Metrics.Outputs[0].Cosine:0.0000} |"));
            output.WriteLine(rows[^1]);
        }

        output.WriteLine();
        output.WriteLine($"{lines} held-out rendered lines (seed {settings.Seed}, {TruthCharacters(test)} characters of ground truth), " +
            $"int8-static calibrated on {calibrationLines} others (seed {settings.CalibrationSeed}), {settings.Describe()}");
        output.WriteLine("| model | mode | size ratio | character accuracy fp32 | quantized | drop (points) | CER fp32 -> quantized | agreement with fp32 text | cosine |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            output.WriteLine(row);
        }

        return 0;

        static string Percent(double fraction) => BudgetFormat.Percent(fraction);

        static int TruthCharacters(string data) => RecognizerText.Truth(data).Sum(l => l.Length);
    }
}
