using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Pruning;
using Xunit;

namespace CompressBuild.Engine.Tests.Pruning;

/// <summary>The pruning registries are the one spelling of methods, importances, scopes and allocations.</summary>
public sealed class PruneMethodsTests
{
    [Fact]
    public void Every_enum_value_has_one_registered_name()
    {
        Assert.Equal(Enum.GetValues<PruneMethod>().Order(), PruneMethods.All.Select(m => m.Method).Order());
        Assert.Equal(Enum.GetValues<ChannelImportance>().Order(), PruneMethods.Importances.Select(m => m.Value).Order());
        Assert.Equal(Enum.GetValues<SparsityScope>().Order(), PruneMethods.Scopes.Select(m => m.Value).Order());
        Assert.Equal(Enum.GetValues<SparsityAllocation>().Order(), PruneMethods.Allocations.Select(m => m.Value).Order());
    }

    [Fact]
    public void The_schema_offers_exactly_the_registered_names()
    {
        var prune = CompressConfigSchema.Prune;
        Assert.Equal(PruneMethods.All.Names, prune.Find("method")!.Choices);
        Assert.Equal(PruneMethods.Importances.Names, prune.Find("importance")!.Choices);
        Assert.Equal(PruneMethods.Scopes.Names, prune.Find("scope")!.Choices);
        Assert.Equal(PruneMethods.Allocations.Names, prune.Find("allocation")!.Choices);
    }

    [Fact]
    public void A_method_names_only_options_the_prune_section_has()
    {
        Assert.All(PruneMethods.All.SelectMany(m => m.Options), o => Assert.NotNull(CompressConfigSchema.Prune.Find(o)));
    }

    [Fact]
    public void Only_channel_shrinks_the_model_or_shares_calibration_with_quantize_and_only_nm_fixes_its_own_sparsity()
    {
        Assert.Equal([PruneMethods.Channel], PruneMethods.All.Where(m => m.Shrinks));
        Assert.Equal([PruneMethods.Channel], PruneMethods.All.Where(m => m.SharesCalibration));
        Assert.Equal([PruneMethods.Block], PruneMethods.All.Where(m => !m.ReadsCalibration));
        Assert.Equal([PruneMethods.NM], PruneMethods.All.Where(m => !m.TakesSparsity));
    }
}
