using Tutor.Contracts.Audio;

namespace Tutor.Workers.Speech;

/// <summary>Turns the child's utterance into text.</summary>
public interface ISpeechToText
{
    Task<Transcript> TranscribeAsync(PcmAudio utterance, RecognitionHints hints, CancellationToken cancellationToken);
}

/// <summary>
/// What the recognizer heard, and how sure it is: <paramref name="Confidence"/> from 0 to 1, or null when the engine
/// does not say (a cloud recognizer's plain text). The lesson asks again, rather than judging, below
/// <c>Lessons:MinConfidence</c>.
/// </summary>
public sealed record Transcript(string Text, double? Confidence = null);

/// <summary>
/// What the child is likely to say: the current step's accepted answers, the lesson's words and the phrases every child
/// uses, and the language. The offline recognizer listens only for these — unless <paramref name="FreeSpeech"/>: a
/// step of free conversation, where anything may be said; a cloud recognizer takes them as a hint.
/// </summary>
public sealed record RecognitionHints(IReadOnlyList<string> Phrases, string? Language, bool FreeSpeech = false)
{
    public static readonly RecognitionHints None = new([], null);

    /// <summary>Phrases any child may say at any step.</summary>
    public static readonly string[] General = ["hello", "hi", "yes", "no", "repeat", "again", "i don't know", "stop", "thank you", "bye"];

    /// <summary>
    /// Everyday words a child may answer with instead: a recognizer held to a grammar picks the closest phrase, so
    /// without these a wrong answer ("purple") would be heard as a right one ("blue").
    /// </summary>
    public static readonly string[] Distractors =
    [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "red", "blue", "green", "yellow", "orange", "purple", "pink", "black", "white", "brown", "grey",
        "dog", "cat", "bird", "fish", "horse", "cow", "lion", "bear", "rabbit", "mouse",
        "apple", "banana", "milk", "bread", "cake", "water", "juice",
        "mum", "dad", "school", "house", "car", "ball", "book", "toy", "tree", "sun", "moon",
        "big", "small", "happy", "sad", "good", "bad", "i like it", "i want", "look", "play",
    ];
}
