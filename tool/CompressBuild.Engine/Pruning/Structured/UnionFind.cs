namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>Disjoint sets over channel nodes; the smaller id becomes the root, so roots do not depend on union order.</summary>
internal sealed class UnionFind
{
    private readonly List<int> parent = [];

    public int Count => parent.Count;

    public int Add(int count)
    {
        var first = parent.Count;
        for (var i = 0; i < count; i++)
        {
            parent.Add(first + i);
        }

        return first;
    }

    public int Find(int x)
    {
        while (parent[x] != x)
        {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }

        return x;
    }

    public void Union(int a, int b)
    {
        int ra = Find(a), rb = Find(b);
        if (ra != rb)
        {
            parent[Math.Max(ra, rb)] = Math.Min(ra, rb);
        }
    }
}
