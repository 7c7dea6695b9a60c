using System.Collections;

namespace CompressBuild.Engine.Choices;

/// <summary>Every choice of one setting, in the order help texts and schemas list them; names are unique.</summary>
public sealed class ChoiceSet<T> : IReadOnlyList<T>
    where T : class, INamedChoice
{
    private readonly T[] items;

    public ChoiceSet(params T[] items)
    {
        var duplicate = items.GroupBy(i => i.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"the choice '{duplicate.Key}' is listed twice", nameof(items));
        }

        this.items = items;
        Names = [.. items.Select(i => i.Name)];
    }

    /// <summary>The names in order, as compress.yaml, the CLI and the MSBuild metadata accept them.</summary>
    public IReadOnlyList<string> Names { get; }

    public int Count => items.Length;

    public T this[int index] => items[index];

    /// <summary>The choice named <paramref name="name"/> (any case), or null.</summary>
    public T? Find(string? name) => name is null ? null : Array.Find(items, i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>"a, b or c", for messages.</summary>
    public string Describe() => items.Length == 1 ? Names[0] : string.Join(", ", Names.Take(items.Length - 1)) + " or " + Names[^1];

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
