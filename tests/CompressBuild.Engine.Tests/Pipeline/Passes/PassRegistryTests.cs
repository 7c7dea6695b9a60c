using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Pipeline.Passes;
using CompressBuild.Engine.Pipeline.Search;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Passes;

public sealed class PassRegistryTests
{
    [Fact]
    public void The_schema_lists_every_registered_pass_by_its_own_section_and_name()
    {
        var passes = CompressConfigSchema.Model.Find("passes")!.Passes;

        Assert.Equal(PassRegistry.All.Select(p => p.Schema), passes);
        Assert.All(PassRegistry.All, p => Assert.Equal(p.Name, p.Schema.Name));
        Assert.All(PassRegistry.All, p => Assert.Same(p, PassRegistry.For(p.Schema)));
        Assert.Same(PassRegistry.Quantize, PassRegistry.Find("quantize"));
        Assert.Null(PassRegistry.Find("distill"));
    }

    [Fact]
    public void Each_pass_writes_its_brief_and_summary_from_its_settings()
    {
        var prune = new PassPlan(PassRegistry.Prune).With("method", "channel").With("sparsity", 0.25);
        var quantize = new PassPlan(PassRegistry.Quantize).With("mode", "int8-static").With("keep_float_top", 2L);

        Assert.Equal("prune channel 0.25 -> quantize int8-static keep-float 2", new CandidatePlan([prune, quantize], "requested").Brief());
        Assert.Equal("channel 25% pruned", prune.Pass.Summary(prune));
        Assert.Equal("int8-static (2 layers float)", quantize.Pass.Summary(quantize));
        Assert.Equal("magnitude pruned", PassRegistry.Prune.Summary(new PassPlan(PassRegistry.Prune)));
    }

    [Fact]
    public void A_plan_finds_its_passes_by_registry_entry()
    {
        var plan = new CandidatePlan([new PassPlan(PassRegistry.Prune), new PassPlan(PassRegistry.Quantize)], "requested");

        Assert.Equal(1, plan.IndexOf(PassRegistry.Quantize));
        Assert.Equal(0, plan.IndexOf(PassRegistry.Prune));
        Assert.Equal("prune() -> quantize()", plan.Describe());
    }
}
