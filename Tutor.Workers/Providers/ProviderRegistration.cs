using System.ComponentModel.DataAnnotations;
using System.ClientModel;
using Microsoft.Extensions.Options;
using OpenAI;
using Tutor.Workers.Replies;
using Tutor.Workers.Safety;
using Tutor.Workers.Speech;

namespace Tutor.Workers.Providers;

internal static class ProviderRegistration
{
    /// <summary>Registers the engine chosen for each job (see <see cref="ProviderOptions"/>) and the start-up check of what they need.</summary>
    public static void AddProviders(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<OpenAiOptions>(OpenAiOptions.SectionName);
        builder.AddValidatedOptions<OfflineSpeechOptions>(OfflineSpeechOptions.SectionName);

        var openAi = builder.Configuration.GetSection(OpenAiOptions.SectionName).Get<OpenAiOptions>() ?? new OpenAiOptions();
        var providers = builder.Configuration.GetSection(ProviderOptions.SectionName).Get<ProviderOptions>() ?? new ProviderOptions();
        var active = new ActiveProviders(
            providers.SpeechToText.ResolvedKind(openAi.IsConfigured),
            providers.Chat.ResolvedKind(openAi.IsConfigured),
            providers.TextToSpeech.ResolvedKind(openAi.IsConfigured),
            providers.Moderation.ResolvedKind(openAi.IsConfigured));
        foreach (var (job, kind, choice, ownModel) in new[]
                 {
                     ("SpeechToText", active.SpeechToText, providers.SpeechToText, ProviderChoice.Whisper),
                     ("Chat", active.Chat, providers.Chat, ProviderChoice.Llama),
                     ("TextToSpeech", active.TextToSpeech, providers.TextToSpeech, null),
                     ("Moderation", active.Moderation, providers.Moderation, null),
                 })
        {
            if (kind != ownModel && kind is not (ProviderChoice.Offline or ProviderChoice.OpenAi))
            {
                throw new InvalidOperationException(
                    $"Providers:{job}:Kind is '{kind}'; it must be offline, openai{(ownModel is null ? "" : $" or {ownModel}")}.");
            }
            if (kind == ProviderChoice.OpenAi && !openAi.IsConfigured && choice.Endpoint is null)
            {
                throw new InvalidOperationException(
                    $"Providers:{job} is openai but there is no OpenAI API key (Parameters:openai-api-key in the AppHost) and no Providers:{job}:Endpoint of a self-hosted server.");
            }
            var problems = new List<ValidationResult>();
            if (!Validator.TryValidateObject(choice, new ValidationContext(choice), problems, validateAllProperties: true))
            {
                throw new InvalidOperationException($"Providers:{job}: {string.Join(" ", problems.Select(p => p.ErrorMessage))}");
            }
        }
        builder.Services.AddSingleton(active);

        OpenAIClient ClientFor(IServiceProvider services, ProviderChoice choice)
        {
            var options = services.GetRequiredService<IOptions<OpenAiOptions>>().Value;
            // One key per endpoint: a self-hosted server gets its own key or none, never the OpenAI key. The SDK wants
            // a key all the same.
            var key = choice.Endpoint is not null ? choice.ApiKey : options.ApiKey;
            return new OpenAIClient(new ApiKeyCredential(string.IsNullOrWhiteSpace(key) ? "no-key" : key), new OpenAIClientOptions
            {
                Endpoint = choice.Endpoint ?? options.Endpoint,
                NetworkTimeout = options.RequestTimeout,
            });
        }
        string ModelFor(IServiceProvider services, ProviderChoice choice, Func<OpenAiOptions, string> fallback) =>
            choice.Model ?? fallback(services.GetRequiredService<IOptions<OpenAiOptions>>().Value);

        if (active.SpeechToText == ProviderChoice.Offline) builder.Services.AddSingleton<ISpeechToText, PocketSphinxSpeechToText>();
        else if (active.SpeechToText == ProviderChoice.Whisper) builder.Services.AddSingleton<ISpeechToText>(sp =>
            new WhisperSpeechToText(providers.SpeechToText, sp.GetRequiredService<ILogger<WhisperSpeechToText>>()));
        else builder.Services.AddSingleton<ISpeechToText>(sp => new OpenAiSpeechToText(
            ClientFor(sp, providers.SpeechToText), ModelFor(sp, providers.SpeechToText, o => o.TranscriptionModel), sp.GetRequiredService<IOptions<OpenAiOptions>>()));

        if (active.Chat == ProviderChoice.Offline) builder.Services.AddSingleton<ITutor, OfflineTutor>();
        else if (active.Chat == ProviderChoice.Llama) builder.Services.AddSingleton<ITutor>(sp => new LlamaTutor(providers.Chat, sp.GetRequiredService<ILogger<LlamaTutor>>()));
        else builder.Services.AddSingleton<ITutor>(sp => new ChatTutor(ClientFor(sp, providers.Chat), ModelFor(sp, providers.Chat, o => o.ChatModel)));

        builder.Services.AddSingleton<EspeakTextToSpeech>();
        if (active.TextToSpeech == ProviderChoice.Offline) builder.Services.AddSingleton<ITextToSpeech, OfflineVoices>();
        else builder.Services.AddSingleton<ITextToSpeech>(sp => new OpenAiTextToSpeech(
            ClientFor(sp, providers.TextToSpeech), ModelFor(sp, providers.TextToSpeech, o => o.SpeechModel), sp.GetRequiredService<IOptions<OpenAiOptions>>()));

        if (active.Moderation == ProviderChoice.Offline) builder.Services.AddSingleton<IModeration, WordListModeration>();
        else builder.Services.AddSingleton<IModeration>(sp => new OpenAiModeration(ClientFor(sp, providers.Moderation), ModelFor(sp, providers.Moderation, o => o.ModerationModel)));
    }
}

/// <summary>The engine doing each job in this worker: <c>offline</c>, <c>openai</c>, or the worker's own model (<c>whisper</c>, <c>llama</c>).</summary>
public sealed record ActiveProviders(string SpeechToText, string Chat, string TextToSpeech, string Moderation)
{
    public override string ToString() => $"speech-to-text {SpeechToText}, chat {Chat}, text-to-speech {TextToSpeech}, moderation {Moderation}";
}
