namespace CompressBuild.Engine.Choices;

public static class ChoiceSetExtensions
{
    /// <summary>The choice for an enum value; every value has one (a registry test checks it).</summary>
    public static Choice<TValue> Of<TValue>(this ChoiceSet<Choice<TValue>> set, TValue value)
        where TValue : struct, Enum => set.First(c => EqualityComparer<TValue>.Default.Equals(c.Value, value));

    /// <summary>The enum value named <paramref name="name"/>, or <paramref name="fallback"/> when the name is absent.</summary>
    public static TValue ValueOf<TValue>(this ChoiceSet<Choice<TValue>> set, string? name, TValue fallback)
        where TValue : struct, Enum => set.Find(name)?.Value ?? fallback;
}
