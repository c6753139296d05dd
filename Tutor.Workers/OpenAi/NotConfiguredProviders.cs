using Tutor.Contracts.Audio;
using Tutor.Workers.Speech;

namespace Tutor.Workers.OpenAi;

/// <summary>Stands in for every provider when no API key is set, so that each turn ends with a message that says what to do.</summary>
public sealed class NotConfiguredProviders : ISpeechToText, ITextToSpeech
{
    public Task<string> TranscribeAsync(PcmAudio utterance, CancellationToken cancellationToken) => throw new ProviderNotConfiguredException();

    public Task<byte[]> SynthesizeAsync(string sentence, CancellationToken cancellationToken) => throw new ProviderNotConfiguredException();
}

public sealed class ProviderNotConfiguredException() : InvalidOperationException(
    "The tutor has no speech or chat provider: no OpenAI API key is configured. " +
    "Set one with 'dotnet user-secrets set Parameters:openai-api-key <key> --project Tutor.AppHost' and restart.");
