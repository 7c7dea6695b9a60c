using CompressBuild.Engine.Pipeline;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Search;

/// <summary>
/// The pipeline search quantizes the same model, options and data at each step: <c>rounding: auto</c> and the long-tailed ranges
/// (the int8-static default's two held-out choices) choose once.
/// </summary>
public sealed class SearchRoundingChoiceTests : IDisposable
{
    private readonly DigitsWorkspace workspace = new(DigitsWorkspace.AllFiles);

    public void Dispose() => workspace.Dispose();

    [Fact]
    public void The_rounding_and_range_choices_are_resolved_once_per_search_and_later_steps_say_they_reused_them()
    {
        // A cosine no int8 model reaches makes the search keep layers float step by step; 13 samples are this test's own.
        var config = CompressConfigLoader.Load(workspace.WriteMlpConfig("min_cosine: 0.99999999",
            quantize: "{ mode: int8-static, calibration: { data: calib_x_flat.npy, samples: 13 } }", search: "{ mode: auto, max_trials: 4 }"));
        var events = new List<PipelineEvent>();

        PipelineRunner.Run(config, new PipelineOptions
        {
            CacheDirectory = workspace.Cache,
            Progress = e =>
            {
                lock (events)
                {
                    events.Add(e);
                }
            },
        });

        foreach (var line in new[] { "quantize rounding: auto chose", "quantize ranges: " })
        {
            var choices = events.Select(e => e.Message).Where(m => m.Contains(line, StringComparison.Ordinal)).ToList();
            Assert.True(choices.Count >= 2, string.Join("\n", events.Select(e => e.Message)));
            Assert.Single(choices, m => !m.Contains("reused", StringComparison.Ordinal));
            Assert.Equal(choices.Count - 1, choices.Count(m => m.EndsWith("reused: chosen earlier in this run for the same model, options and data", StringComparison.Ordinal)));
        }
    }
}
