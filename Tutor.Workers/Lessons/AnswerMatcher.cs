using System.Globalization;
using System.Text;

namespace Tutor.Workers.Lessons;

/// <summary>
/// The offline tutor's ear for answers: accepts an expected answer said on its own or inside a longer sentence, with
/// tolerance for small mistakes (a letter or two per word, missing accents), and knows a few phrases every child uses.
/// </summary>
public static class AnswerMatcher
{
    private static readonly string[] RepeatPhrases = ["repeat", "again", "say it again", "what", "pardon", "repite", "otra vez", "que", "como"];
    private static readonly string[] DontKnowPhrases = ["i dont know", "dont know", "i do not know", "no se", "no lo se", "help"];

    public static Judgement Judge(string childSaid, LessonStep step)
    {
        var heard = Normalize(childSaid);
        if (heard.Length == 0 || RepeatPhrases.Contains(heard)) return Judgement.Unclear;
        if (DontKnowPhrases.Contains(heard)) return Judgement.Incorrect;
        return step.Expect.Any(expected => Matches(heard, Normalize(expected))) ? Judgement.Correct : Judgement.Incorrect;
    }

    /// <summary>Whether the words of <paramref name="expected"/> appear in <paramref name="heard"/>, each close enough.</summary>
    private static bool Matches(string heard, string expected)
    {
        if (expected.Length == 0) return false;
        var said = heard.Split(' ');
        var wanted = expected.Split(' ');
        for (var start = 0; start + wanted.Length <= said.Length; start++)
        {
            if (wanted.Select((word, i) => Close(said[start + i], word)).All(close => close)) return true;
        }
        return false;
    }

    private static bool Close(string said, string wanted) =>
        said == wanted || (wanted.Length >= 4 && Distance(said, wanted) <= (wanted.Length >= 7 ? 2 : 1));

    public static string Normalize(string text)
    {
        var decomposed = text.ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var plain = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category == UnicodeCategory.NonSpacingMark || c is '\'' or '’') continue;
            plain.Append(char.IsLetterOrDigit(c) ? c : ' ');
        }
        return string.Join(' ', plain.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Edits between two words, a swap of neighbouring letters counting as one (optimal string alignment).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}

/// <summary>How the child's answer was judged.</summary>
public enum Judgement
{
    Correct,
    Incorrect,
    /// <summary>Nothing usable was heard, or the child asked to hear it again: the question is repeated.</summary>
    Unclear,
}
