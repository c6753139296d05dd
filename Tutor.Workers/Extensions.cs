using Tutor.Workers.Diagnostics;
using Tutor.Workers.Lessons;
using Tutor.Workers.Publishing;
using Tutor.Workers.Providers;
using Tutor.Workers.Replies;
using Tutor.Workers.Safety;
using Tutor.Workers.Speech;
using Tutor.Workers.Turns;
using Tutor.Realtime.Transcripts;

namespace Tutor.Workers;

internal static class Extensions
{
    public const string RedisConnectionName = "redis";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient(RedisConnectionName);

        builder.AddValidatedOptions<TurnOptions>(TurnOptions.SectionName);
        builder.AddValidatedOptions<HistoryOptions>(HistoryOptions.SectionName);

        // Hosted services start in order: the checks run before the listener takes any turn.
        builder.AddProviders();
        builder.Services.AddHostedService<EngineCheck>();
        builder.Services.AddSingleton<WorkerTelemetry>();
        builder.Services.AddSingleton<UtteranceQueue>();
        builder.Services.AddSingleton<SessionDirectory>();
        builder.Services.AddSingleton<ReplyPublisher>();
        builder.Services.AddSingleton<TranscriptBroadcaster>();
        builder.Services.AddSingleton<TurnProcessor>();
        builder.Services.AddSingleton<TurnCancellations>();
        builder.Services.AddHostedService<AbortListener>();
        builder.Services.AddSingleton<TurnRunner>();
        builder.Services.AddHostedService<TurnIntake>();
        builder.Services.AddHostedService<Announcements.Announcer>();

        builder.Services.AddSingleton<OfflineEngineGate>();
        builder.AddValidatedOptions<LessonOptions>(LessonOptions.SectionName);
        builder.AddValidatedOptions<SafetyOptions>(SafetyOptions.SectionName);
        builder.Services.AddSingleton<LessonCatalog>();
        builder.Services.AddHostedService<RequiredAtStart<LessonCatalog>>();
        builder.Services.AddHostedService<LessonCatalogPublisher>();
        builder.Services.AddSingleton<LessonEngine>();
        builder.Services.AddSingleton<ChildProgressStore>();
        builder.Services.AddSingleton<TutorConversation>();

        // Workers only send: IHubContext publishes through the same backplane the gateway's hub listens on.
        builder.Services.AddTranscriptBackplane(builder.Configuration, RedisConnectionName);
    }
}
