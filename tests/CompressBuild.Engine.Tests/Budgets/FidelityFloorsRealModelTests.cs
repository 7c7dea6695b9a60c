using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Budgets;

/// <summary>The fidelity check on a real model whose compression destroys its output, with only a size budget set.</summary>
public class FidelityFloorsRealModelTests
{
    [RealModelFact(RealModels.PaddleOcrDetector)]
    public void A_channel_pruned_text_detector_whose_map_collapses_is_broken_though_it_meets_its_size_budget()
    {
        using var temp = new TempFolder();
        var reference = RealModels.Path(RealModels.PaddleOcrDetector);
        var pruned = ModelPruner.Run(OnnxModelReader.Load(reference), new PruneSettings { Method = PruneMethod.Channel, Sparsity = 0.25 }).Model;
        OnnxModelWriter.Save(pruned, temp.File("pruned.onnx"), ModelSaveOptions.Default);
        var images = OcrInputs.Render(temp.Path, "det", 2, seed: 11, height: 320, width: 320);

        var result = Verifier.Run(new VerificationRequest(temp.File("pruned.onnx"), reference, images) { Budgets = new BudgetSet { MaxSizeMb = 4 }, MeasureLatency = false });

        Assert.Equal(BudgetStatus.Passed, result.Checks.Single(c => c.Name == "max-size-mb").Status);
        var broken = Assert.Single(result.Misses);
        Assert.Equal(DiagnosticCodes.OutputCollapsed, broken.Code);
        Assert.True(result.Metrics.Outputs[0].Cosine < FidelityFloors.CollapsedCosine, $"cosine {result.Metrics.Outputs[0].Cosine}");
        Assert.True(result.Broken);
        Assert.False(result.Passed);
    }
}
