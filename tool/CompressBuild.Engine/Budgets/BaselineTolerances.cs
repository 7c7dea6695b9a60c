namespace CompressBuild.Engine.Budgets;

/// <summary>How much worse than its baseline a model may get before it counts as a regression (CB1005).</summary>
/// <param name="Accuracy">Absolute, for top-1 accuracy and agreement (0.005 = half a percentage point).</param>
/// <param name="Speedup">Relative (0.10 = the speedup may fall 10% below the recorded one).</param>
/// <param name="Size">Relative growth of the model's bytes.</param>
public sealed record BaselineTolerances(double Accuracy = 0.005, double Speedup = 0.10, double Size = 0.01);
