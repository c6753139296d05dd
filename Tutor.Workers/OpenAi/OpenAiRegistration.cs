using System.ClientModel;
using Microsoft.Extensions.Options;
using OpenAI;
using Tutor.Workers.Replies;
using Tutor.Workers.Safety;
using Tutor.Workers.Speech;

namespace Tutor.Workers.OpenAi;

internal static class OpenAiRegistration
{
    /// <summary>
    /// Registers speech-to-text, the reply writer and text-to-speech on the OpenAI package, or, without an API key,
    /// providers that answer every turn with a message saying what is missing.
    /// </summary>
    public static void AddOpenAiProviders(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OpenAiOptions>()
            .Bind(builder.Configuration.GetSection(OpenAiOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var configured = builder.Configuration.GetSection(OpenAiOptions.SectionName).Get<OpenAiOptions>()?.IsConfigured == true;
        if (!configured)
        {
            // The lessons still run: the offline tutor needs no model. Speech needs a provider (offline speech is next).
            builder.Services.AddSingleton<NotConfiguredProviders>();
            builder.Services.AddSingleton<ISpeechToText>(sp => sp.GetRequiredService<NotConfiguredProviders>());
            builder.Services.AddSingleton<ITextToSpeech>(sp => sp.GetRequiredService<NotConfiguredProviders>());
            builder.Services.AddSingleton<ITutor, OfflineTutor>();
            builder.Services.AddSingleton<IModeration, WordListModeration>();
            return;
        }

        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<OpenAiOptions>>().Value;
            return new OpenAIClient(new ApiKeyCredential(options.ApiKey!), new OpenAIClientOptions
            {
                Endpoint = options.Endpoint,
                NetworkTimeout = options.RequestTimeout,
            });
        });
        builder.Services.AddSingleton<ISpeechToText, OpenAiSpeechToText>();
        builder.Services.AddSingleton<IModeration, OpenAiModeration>();
        // The tutor may stay offline (the lessons' own words) even with a key: Tutor:Chat = offline.
        if (string.Equals(builder.Configuration["Tutor:Chat"], "offline", StringComparison.OrdinalIgnoreCase))
        {
            builder.Services.AddSingleton<ITutor, OfflineTutor>();
        }
        else
        {
            builder.Services.AddSingleton<ITutor, ChatTutor>();
        }
        builder.Services.AddSingleton<ITextToSpeech, OpenAiTextToSpeech>();
    }
}
