using Xunit;

namespace CompressBuild.Testing;

/// <summary>A fact that needs public models from tests/models/real-models.tsv; skipped, with the reason, when one is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RealModelFactAttribute : FactAttribute
{
    public RealModelFactAttribute(params string[] models)
    {
        var missing = models.FirstOrDefault(m => RealModels.Find(m) is null);
        if (missing is not null)
        {
            Skip = RealModels.MissingReason(missing);
        }
    }
}
