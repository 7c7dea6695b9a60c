namespace CompressBuild.Engine.Evaluation.Metrics;

/// <summary>
/// Character accuracy of recognized text against the truth: 1 - (total Levenshtein distance) / (total truth length),
/// over all lines added (so long lines weigh more; can fall below 0 when the recognizer adds many characters).
/// </summary>
public sealed class CharacterAccuracy
{
    public long Edits { get; private set; }

    public long Characters { get; private set; }

    public int Lines { get; private set; }

    public double Value => Characters == 0 ? 1 : 1 - ((double)Edits / Characters);

    public void Add(string recognized, string truth)
    {
        Edits += Distance(recognized, truth);
        Characters += truth.Length;
        Lines++;
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions, each 1) in one row of memory.</summary>
    public static int Distance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            row[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }

        return row[b.Length];
    }
}
