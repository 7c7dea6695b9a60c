using System.Globalization;
using System.Text.Json;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Tool.Tests.Commands;

/// <summary>
/// <c>verify --metric ctc</c> on the PP-OCRv4 recognizer quantized int8-static: rendered lines (tests/models/ocr_inputs.py rec, seed 7 for
/// calibration, 32 held-out lines of seed 11 with their ground truth) decoded over ppocr-keys.txt and scored by character accuracy.
/// </summary>
public sealed class VerifyCtcMetricTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [RealModelFact(RealModels.PaddleOcrRecognizer, RealModels.PaddleOcrKeys)]
    public void Verify_reports_both_character_accuracies_and_the_drop_and_a_budget_below_the_drop_fails_with_CB1001()
    {
        var model = RealModels.Path(RealModels.PaddleOcrRecognizer);
        var calibration = OcrInputs.Render(temp.Path, "rec", 16, seed: 7);
        var test = OcrInputs.Render(temp.Path, "rec", 32, seed: 11);
        var truth = Path.ChangeExtension(test, ".txt");
        var int8 = temp.File("rec.int8.onnx");
        // Round-to-nearest, not the default's held-out choice: the default loses no character on these lines, and the test needs a drop.
        var quantize = CliRun.Of("quantize", model, "-o", int8, "--mode", "int8-static", "--rounding", "nearest", "--calibration-data", calibration);
        Assert.True(quantize.ExitCode == ExitCodes.Ok, quantize.Error);
        string[] verify = ["verify", int8, "--reference", model, "--data", test, "--labels", truth, "--metric", "ctc", "--keys", RealModels.Path(RealModels.PaddleOcrKeys),
            "--no-latency", "--min-agreement", "50%"];

        var measured = CliRun.Of([.. verify, "--json"]);

        Assert.True(measured.ExitCode == ExitCodes.Ok, measured.Error);
        var text = JsonDocument.Parse(measured.Out).RootElement.GetProperty("text");
        var (reference, candidate, drop) = (text.GetProperty("referenceAccuracy").GetDouble(), text.GetProperty("candidateAccuracy").GetDouble(), text.GetProperty("drop").GetDouble());
        output.WriteLine($"ppocr-rec int8-static on 32 lines: character accuracy {reference:P2} -> {candidate:P2}, drop {drop * 100:0.00} points, agreement " +
            $"{text.GetProperty("agreement").GetDouble():P2}");
        Assert.Equal(("labels", 32), (text.GetProperty("against").GetString(), text.GetProperty("lines").GetInt32()));
        Assert.True(reference >= 0.6, $"the float recognizer reads {reference:P2} of the rendered characters: the decoding or the truth is off");
        Assert.Equal(reference - candidate, drop, 12);
        Assert.True(drop > 0, $"int8 lost no character accuracy ({drop}): this test needs a drop to set a budget below it");

        var budget = (drop / 2).ToString("0.######", CultureInfo.InvariantCulture);
        var missed = CliRun.Of([.. verify, "--max-accuracy-drop", budget]);

        Assert.Equal(ExitCodes.BudgetMissed, missed.ExitCode);
        var miss = Assert.Single(missed.Error.Split('\n'), l => l.Contains("error CB1001", StringComparison.Ordinal));
        Assert.Contains($"character accuracy dropped {drop * 100:0.00} pp (reference {reference * 100:0.00}%, candidate {candidate * 100:0.00}%", miss, StringComparison.Ordinal);
        Assert.Contains($"  reference  {reference * 100:0.00}%", missed.Out, StringComparison.Ordinal);
        Assert.Contains($"  candidate  {candidate * 100:0.00}%", missed.Out, StringComparison.Ordinal);
    }
}
