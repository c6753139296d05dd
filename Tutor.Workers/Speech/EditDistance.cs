namespace Tutor.Workers.Speech;

/// <summary>Levenshtein distance between two sequences (phonemes of two words, words of two sentences).</summary>
public static class EditDistance
{
    public static int Between<T>(IReadOnlyList<T> a, IReadOnlyList<T> b) where T : IEquatable<T>
    {
        var d = new int[a.Count + 1, b.Count + 1];
        for (var i = 0; i <= a.Count; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Count; j++) d[0, j] = j;
        for (var i = 1; i <= a.Count; i++)
        {
            for (var j = 1; j <= b.Count; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1].Equals(b[j - 1]) ? 0 : 1));
            }
        }
        return d[a.Count, b.Count];
    }
}
