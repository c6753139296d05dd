using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Audio;
using Tutor.Contracts.Audio;
using Tutor.Workers.Providers;

namespace Tutor.Workers.Speech;

/// <summary>Transcribes with OpenAI's <c>/audio/transcriptions</c>, uploading the utterance as a WAV file.</summary>
public sealed class OpenAiSpeechToText(OpenAIClient client, string model, IOptions<OpenAiOptions> options) : ISpeechToText
{
    private readonly AudioClient _audio = client.GetAudioClient(model);

    public async Task<Transcript> TranscribeAsync(PcmAudio utterance, RecognitionHints hints, CancellationToken cancellationToken)
    {
        using var wav = new MemoryStream(WavFile.FromPcm16(utterance.Samples, utterance.SampleRate, utterance.Channels));
        var transcription = await _audio.TranscribeAudioAsync(wav, "utterance.wav", new AudioTranscriptionOptions
        {
            Language = hints.Language ?? (string.IsNullOrWhiteSpace(options.Value.Language) ? null : options.Value.Language),
            ResponseFormat = AudioTranscriptionFormat.Simple,
        }, cancellationToken);
        return new Transcript(transcription.Value.Text.Trim());
    }
}
