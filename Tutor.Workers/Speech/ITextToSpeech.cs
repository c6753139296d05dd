namespace Tutor.Workers.Speech;

/// <summary>Speaks one sentence of the tutor's reply.</summary>
public interface ITextToSpeech
{
    /// <summary>
    /// Streams the sentence's speech as raw PCM16 little-endian mono, piece by piece as the engine produces it, so the
    /// child hears the first syllable before the sentence is synthesized to its end. <see cref="DeviceSpeech"/> makes it
    /// the device's. <paramref name="language"/> (ISO 639-1) picks the voice where the engine has one per language.
    /// </summary>
    IAsyncEnumerable<SpeechChunk> SynthesizeAsync(string sentence, string? language, CancellationToken cancellationToken);
}

/// <summary>
/// A piece of synthesized speech: PCM16 little-endian mono samples (any length, even odd) at <paramref name="SampleRate"/>.
/// Valid until the next piece is asked for (an engine may reuse its buffer).
/// </summary>
public readonly record struct SpeechChunk(ReadOnlyMemory<byte> Pcm, int SampleRate);
