using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

/// <summary>
/// What the workers need to reach OpenAI or a compatible endpoint, and which engine does each job. The key is a secret
/// parameter (<c>Parameters:openai-api-key</c>, e.g. from user secrets); endpoint and model names come from the AppHost's
/// <c>OpenAI</c> section and, when absent there, from the workers' own appsettings; <c>Providers:{Job}</c> picks the engines.
/// </summary>
public sealed record OpenAiSettings(IResourceBuilder<ParameterResource>? ApiKey, IReadOnlyDictionary<string, string> Settings,
    IReadOnlyDictionary<string, string> Providers);

public static class OpenAiSettingsExtensions
{
    private const string ApiKeyParameter = "openai-api-key";
    private static readonly string[] ForwardedSettings = ["Endpoint", "TranscriptionModel", "ChatModel", "SpeechModel", "Voice", "Language", "ModerationModel"];
    private static readonly string[] Jobs = ["SpeechToText", "Chat", "TextToSpeech", "Moderation"];

    /// <summary>A job's own server and model, or its own model file run in the worker (<c>whisper</c>, <c>llama</c>).</summary>
    private static readonly string[] ForwardedChoices = ["Endpoint", "Model", "ModelPath", "Threads", "ContextSize", "FitAudioContext"];

    public static OpenAiSettings AddOpenAiSettings(this IDistributedApplicationBuilder builder)
    {
        // Only ask for the key when one is configured: without it the app still starts and the workers say what is missing.
        var apiKey = string.IsNullOrWhiteSpace(builder.Configuration[$"Parameters:{ApiKeyParameter}"])
            ? null
            : builder.AddParameter(ApiKeyParameter, secret: true);

        var section = builder.Configuration.GetSection("OpenAI");
        var settings = ForwardedSettings
            .Where(key => !string.IsNullOrWhiteSpace(section[key]))
            .ToDictionary(key => key, key => section[key]!);

        // Each job's engine, spelled out so the dashboard shows it in the workers' environment: offline unless a key is set.
        var providers = new Dictionary<string, string>();
        foreach (var job in Jobs)
        {
            var choice = builder.Configuration.GetSection($"Providers:{job}");
            providers[$"{job}__Kind"] = string.IsNullOrWhiteSpace(choice["Kind"]) ? (apiKey is null ? "offline" : "openai") : choice["Kind"]!;
            foreach (var setting in ForwardedChoices.Where(setting => !string.IsNullOrWhiteSpace(choice[setting])))
            {
                providers[$"{job}__{setting}"] = choice[setting]!;
            }
        }

        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tutor.AppHost.Providers");
            logger.Providers(providers["SpeechToText__Kind"], providers["Chat__Kind"], providers["TextToSpeech__Kind"], providers["Moderation__Kind"]);
            if (apiKey is null)
            {
                logger.NoApiKey(ApiKeyParameter);
            }
            return Task.CompletedTask;
        });

        return new OpenAiSettings(apiKey, settings, providers);
    }

    public static IResourceBuilder<ProjectResource> WithOpenAi(this IResourceBuilder<ProjectResource> workers, OpenAiSettings openAi)
    {
        foreach (var (key, value) in openAi.Settings)
        {
            workers.WithEnvironment($"OpenAI__{key}", value);
        }
        foreach (var (key, value) in openAi.Providers)
        {
            workers.WithEnvironment($"Providers__{key}", value);
        }

        return openAi.ApiKey is null ? workers : workers.WithEnvironment("OpenAI__ApiKey", openAi.ApiKey);
    }
}
