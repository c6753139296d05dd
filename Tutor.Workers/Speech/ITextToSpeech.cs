namespace Tutor.Workers.Speech;

/// <summary>Speaks one sentence of the tutor's reply.</summary>
public interface ITextToSpeech
{
    /// <summary>Returns encoded audio in any container ffmpeg reads (WAV, MP3, …); <see cref="DeviceAudioConverter"/> makes it the device's.</summary>
    Task<byte[]> SynthesizeAsync(string sentence, CancellationToken cancellationToken);
}
