namespace Tutor.Workers.Speech;

/// <summary>Speaks one sentence of the tutor's reply.</summary>
public interface ITextToSpeech
{
    /// <summary>
    /// Returns encoded audio in any container ffmpeg reads (WAV, MP3, …); <see cref="DeviceAudioConverter"/> makes it the
    /// device's. <paramref name="language"/> (ISO 639-1) picks the voice where the engine has one per language.
    /// </summary>
    Task<byte[]> SynthesizeAsync(string sentence, string? language, CancellationToken cancellationToken);
}
