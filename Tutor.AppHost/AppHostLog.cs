using Tutor.AppHost.Redis;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

/// <summary>What the AppHost logs at start (event ids 4000–4099).</summary>
internal static partial class AppHostLog
{
    [LoggerMessage(4000, LogLevel.Information, "Providers: speech-to-text {SpeechToText}, chat {Chat}, text-to-speech {TextToSpeech}, moderation {Moderation}.")]
    public static partial void Providers(this ILogger logger, string speechToText, string chat, string textToSpeech, string moderation);

    [LoggerMessage(4001, LogLevel.Information, "No OpenAI API key: Tutor runs offline (flite, espeak-ng, pocketsphinx, the lessons' own words). For OpenAI: dotnet user-secrets set Parameters:{Parameter} <key> --project Tutor.AppHost")]
    public static partial void NoApiKey(this ILogger logger, string parameter);

    [LoggerMessage(4002, LogLevel.Information, "Redis: {Mode} ({Reason}). Override with Redis:Mode = Container | Local | Existing.")]
    public static partial void RedisMode(this ILogger logger, RedisMode mode, string reason);

    [LoggerMessage(4003, LogLevel.Information, "Turn of {Seconds:0.0} s answered with {Sentences} sentence(s), {AudioSeconds:0.0} s of speech (interrupted: {Interrupted}).")]
    public static partial void DemoTurn(this ILogger logger, double seconds, int sentences, double audioSeconds, bool interrupted);

    [LoggerMessage(4004, LogLevel.Information, "The demo child's progress is reset: the next turn opens the first lesson.")]
    public static partial void DemoProgressReset(this ILogger logger);
}
