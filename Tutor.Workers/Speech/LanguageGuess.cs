using Tutor.Workers.Lessons;

namespace Tutor.Workers.Speech;

/// <summary>
/// Which of a lesson's two languages a sentence is in, so the offline voice fits it: lessons mix the child's language
/// and the one they learn ("La fresa es roja. In English: red.").
/// </summary>
public static class LanguageGuess
{
    private static readonly Dictionary<string, string[]> CommonWords = new()
    {
        ["en"] = ["the", "is", "what", "and", "you", "it", "say", "in", "english", "yes", "great", "job", "colour", "color", "how", "do", "a", "an", "of", "to", "can", "bye", "good", "my", "your", "today", "we", "learn", "let's", "lets", "tell", "me", "about"],
        ["es"] = ["el", "la", "es", "de", "que", "y", "en", "los", "las", "un", "una", "di", "muy", "bien", "hola", "hoy", "aprendemos", "colores", "inglés", "ingles", "usamos", "palabras", "bonitas", "vale", "adios", "sol", "cielo", "hierba", "fresa", "roja"],
    };

    public static string? Of(string sentence, params string?[] candidates)
    {
        var languages = candidates.OfType<string>().Distinct().ToList();
        if (languages.Count <= 1) return languages.FirstOrDefault();
        if (sentence.IndexOfAny(['¿', '¡', 'ñ']) >= 0 && languages.Contains("es")) return "es";

        var words = AnswerMatcher.Normalize(sentence).Split(' ');
        return languages
            .Select((language, order) => (language, order, score: CommonWords.TryGetValue(language, out var common) ? words.Count(common.Contains) : 0))
            .OrderByDescending(c => c.score).ThenBy(c => c.order)
            .First().language;
    }
}
