using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Audio;
using Tutor.Workers.Providers;

namespace Tutor.Workers.Speech;

/// <summary>Speaks with OpenAI's <c>/audio/speech</c>, asking for WAV so that ffmpeg's conversion loses nothing.</summary>
public sealed class OpenAiTextToSpeech(OpenAIClient client, string model, IOptions<OpenAiOptions> options) : ITextToSpeech
{
    private readonly AudioClient _audio = client.GetAudioClient(model);

    public async Task<byte[]> SynthesizeAsync(string sentence, string? language, CancellationToken cancellationToken)
    {
        var speech = await _audio.GenerateSpeechAsync(sentence, new GeneratedSpeechVoice(options.Value.Voice),
            new SpeechGenerationOptions { ResponseFormat = GeneratedSpeechFormat.Wav }, cancellationToken);
        return speech.Value.ToArray();
    }
}
