using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

/// <summary>
/// What the workers need to reach OpenAI or a compatible endpoint. The key is a secret parameter
/// (<c>Parameters:openai-api-key</c>, e.g. from user secrets); endpoint and model names come from the AppHost's
/// <c>OpenAI</c> section and, when absent there, from the workers' own appsettings.
/// </summary>
public sealed record OpenAiSettings(IResourceBuilder<ParameterResource>? ApiKey, IReadOnlyDictionary<string, string> Settings);

public static class OpenAiSettingsExtensions
{
    private const string ApiKeyParameter = "openai-api-key";
    private static readonly string[] ForwardedSettings = ["Endpoint", "TranscriptionModel", "ChatModel", "SpeechModel", "Voice", "Language"];

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

        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tutor.AppHost.OpenAI");
            if (apiKey is null)
            {
                logger.LogWarning(
                    "No OpenAI API key: the workers will answer every utterance with a 'not configured' error. " +
                    "Set one with: dotnet user-secrets set Parameters:{Parameter} <key> --project Tutor.AppHost", ApiKeyParameter);
            }
            else
            {
                logger.LogInformation("OpenAI: key configured, endpoint {Endpoint}.", settings.GetValueOrDefault("Endpoint", "default"));
            }
            return Task.CompletedTask;
        });

        return new OpenAiSettings(apiKey, settings);
    }

    public static IResourceBuilder<ProjectResource> WithOpenAi(this IResourceBuilder<ProjectResource> workers, OpenAiSettings openAi)
    {
        foreach (var (key, value) in openAi.Settings)
        {
            workers.WithEnvironment($"OpenAI__{key}", value);
        }

        return openAi.ApiKey is null ? workers : workers.WithEnvironment("OpenAI__ApiKey", openAi.ApiKey);
    }
}
