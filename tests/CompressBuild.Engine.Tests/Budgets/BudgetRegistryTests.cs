using CompressBuild.Engine.Budgets;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Pipeline.Config;
using Xunit;

namespace CompressBuild.Engine.Tests.Budgets;

/// <summary>Each budget described once: its value written and read back, parsed alike on every surface, listed in the schema.</summary>
public sealed class BudgetRegistryTests
{
    public static TheoryData<string> Keys() => [.. BudgetRegistry.All.Select(b => b.Key)];

    [Theory]
    [MemberData(nameof(Keys))]
    public void A_budget_written_into_a_set_reads_back_and_leaves_every_other_budget_at_its_default(string key)
    {
        var budget = BudgetRegistry.Find(key)!;
        object value = budget.Unit switch
        {
            BudgetUnit.Text => "machine-1",
            BudgetUnit.Switch => true,
            _ => budget.Parse(budget.Maximum is { } max ? (max / 2).ToString(System.Globalization.CultureInfo.InvariantCulture) : "0.5"),
        };

        var set = budget.Write(new BudgetSet(), value);

        Assert.Equal(value, budget.Read(set));
        var defaults = new BudgetSet();
        Assert.All(BudgetRegistry.All.Where(b => b.Key != key), other => Assert.Equal(other.Read(defaults), other.Read(set)));
    }

    [Fact]
    public void The_config_schema_lists_every_budget_with_its_range()
    {
        var keys = CompressConfigSchema.Budgets.Keys;

        Assert.Equal(BudgetRegistry.All.Select(b => b.Key), keys.Select(k => k.Name));
        var drop = CompressConfigSchema.Budgets.Find("max_accuracy_drop")!;
        Assert.Equal((0.0, 1.0), (drop.Minimum, drop.Maximum));
    }

    [Theory]
    [InlineData("max_accuracy_drop", "1%", 0.01)]
    [InlineData("max_accuracy_drop", "0.01", 0.01)]
    [InlineData("min_agreement", "99.5 %", 0.995)]
    [InlineData("baseline_size_tolerance", "50%", 0.5)]
    [InlineData("max_latency_ms", "20ms", 20)]
    [InlineData("min_sqnr", "30 dB", 30)]
    [InlineData("max_size_mb", "4MB", 4)]
    [InlineData("min_speedup", "1.5x", 1.5)]
    public void Values_are_written_alike_on_every_surface(string key, string text, double expected)
    {
        Assert.Equal(expected, BudgetRegistry.Find(key)!.Parse(text), 12);
    }

    [Theory]
    [InlineData("max_accuracy_drop", "2")]
    [InlineData("min_agreement", "99")]
    [InlineData("speedup_tolerance", "3")]
    [InlineData("baseline_size_tolerance", "5")]
    public void A_bare_fraction_above_1_is_CB2046(string key, string text)
    {
        var e = Assert.Throws<CompressBuildException>(() => BudgetRegistry.Find(key)!.Parse(text));

        Assert.Equal(DiagnosticCodes.BudgetNotAFraction, e.Code);
        Assert.StartsWith($"budget {key} is a fraction: 0.01 or 1% is one point; got {text}.", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("max_accuracy_drop", "-0.1")]
    [InlineData("min_agreement", "101%")]
    [InlineData("min_speedup", "0")]
    [InlineData("min_cosine", "high")]
    public void Values_out_of_range_or_not_numbers_are_CB2060_naming_the_key(string key, string text)
    {
        var e = Assert.Throws<CompressBuildException>(() => BudgetRegistry.Find(key)!.Parse(text));

        Assert.Equal(DiagnosticCodes.BudgetInvalid, e.Code);
        Assert.StartsWith($"budget {key} ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_checks_a_set_built_in_code_with_the_same_ranges()
    {
        var e = Assert.Throws<CompressBuildException>(() => new BudgetSet { MinAgreement = 99 }.Validate());

        Assert.Equal(DiagnosticCodes.BudgetNotAFraction, e.Code);
        new BudgetSet { MinAgreement = 0.99, Tolerances = new BaselineTolerances(Size: 0.5) }.Validate();
    }
}
