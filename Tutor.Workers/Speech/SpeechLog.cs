namespace Tutor.Workers.Speech;

/// <summary>What recognition logs (event ids 2200–2299): lengths and confidences, never the words.</summary>
internal static partial class SpeechLog
{
    [LoggerMessage(2200, LogLevel.Debug, "pocketsphinx heard {Length} characters among {Phrases} phrases, confidence {Confidence:F2}")]
    public static partial void HeardInGrammar(this ILogger logger, int length, int phrases, double confidence);

    [LoggerMessage(2201, LogLevel.Debug, "pocketsphinx heard {Length} characters ({Among})")]
    public static partial void Heard(this ILogger logger, int length, string among);

    [LoggerMessage(2202, LogLevel.Debug, "Whisper heard {Length} characters, confidence {Confidence}")]
    public static partial void WhisperHeard(this ILogger logger, int length, double? confidence);
}
