using Microsoft.Extensions.Options;

namespace Tutor.Workers.Speech;

/// <summary>Offline speech with Debian's espeak-ng: a voice per lesson language, at a child-friendly speed; WAV out.</summary>
public sealed class EspeakTextToSpeech(IOptions<OfflineSpeechOptions> options) : ITextToSpeech
{
    public async Task<byte[]> SynthesizeAsync(string sentence, string? language, CancellationToken cancellationToken)
    {
        var speech = options.Value;
        var voice = language is not null && speech.Voices.TryGetValue(language, out var configured) ? configured : speech.Voices.GetValueOrDefault("en", "en-us");
        var (exit, wav, errors) = await ExternalTool.RunAsync(speech.EspeakPath,
            ["-v", voice, "-s", speech.WordsPerMinute.ToString(), "--stdout", "--", sentence], TimeSpan.FromSeconds(30), cancellationToken);
        if (exit != 0 || wav.Length < 44)
        {
            throw new InvalidOperationException($"espeak-ng could not say the sentence (exit {exit}): {errors.Trim()}");
        }
        return wav;
    }
}
