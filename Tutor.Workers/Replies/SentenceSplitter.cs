using System.Text;

namespace Tutor.Workers.Replies;

/// <summary>
/// Cuts streamed text into sentences: a sentence ends at '.', '!', '?' or '…' (and their CJK forms) followed by white
/// space, or at a line break. Text after the last end is held until more arrives or the stream ends.
/// </summary>
public sealed class SentenceSplitter
{
    private readonly StringBuilder _pending = new();

    /// <summary>Adds streamed text and returns the sentences it completed.</summary>
    public IReadOnlyList<string> Add(string text)
    {
        _pending.Append(text);
        var sentences = new List<string>();
        var start = 0;
        for (var i = 0; i < _pending.Length; i++)
        {
            var c = _pending[i];
            var endsHere = c is '\n' || (IsTerminator(c) && i + 1 < _pending.Length && char.IsWhiteSpace(_pending[i + 1]))
                || c is '。' or '！' or '？';
            if (!endsHere) continue;

            AddSentence(sentences, _pending.ToString(start, i + 1 - start));
            start = i + 1;
        }

        _pending.Remove(0, start);
        return sentences;
    }

    /// <summary>Returns whatever text is left when the stream ends, or null if there is none.</summary>
    public string? Flush()
    {
        var rest = _pending.ToString().Trim();
        _pending.Clear();
        return rest.Length > 0 ? rest : null;
    }

    private static bool IsTerminator(char c) => c is '.' or '!' or '?' or '…';

    private static void AddSentence(List<string> sentences, string sentence)
    {
        var trimmed = sentence.Trim();
        if (trimmed.Length > 0) sentences.Add(trimmed);
    }
}
