namespace CompressBuild.Engine.Pipeline.Passes;

/// <summary>Typed reads of a pass's settings; the config validator has already checked every type.</summary>
internal static class PlanSettings
{
    public static string? Text(this PassPlan pass, string key) => pass.Get(key) as string;

    public static double? Number(this PassPlan pass, string key) => pass.Get(key) is double d ? d : null;

    public static int? WholeNumber(this PassPlan pass, string key) => pass.Get(key) is long l ? checked((int)l) : null;

    public static bool? Flag(this PassPlan pass, string key) => pass.Get(key) is bool b ? b : null;

    public static IReadOnlyList<string> List(this PassPlan pass, string key) => pass.Get(key) is IEnumerable<string> list && pass.Get(key) is not string ? [.. list] : [];
}
